//! The interface language: Vietnamese first, English second. Chosen by the
//! `lang` cookie (set by the language switch), else `Accept-Language`, else Vietnamese.

use poem::{FromRequest, Request, RequestBody};

/// Name of the cookie the language switch sets.
pub const COOKIE: &str = "lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// The language of a request: cookie, then `Accept-Language`, then Vietnamese.
    pub fn of(req: &Request) -> Self {
        if let Some(lang) = req.cookie().get(COOKIE).and_then(|c| Lang::from_code(c.value_str())) {
            return lang;
        }
        req.headers()
            .get(poem::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(from_accept_language)
            .unwrap_or(Lang::Vi)
    }
}

impl<'a> FromRequest<'a> for Lang {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Lang::of(req))
    }
}

/// The language to use for an `Accept-Language` header. Vietnamese first: many office
/// PCs run an English browser whose header also lists Vietnamese, so Vietnamese wins
/// whenever it is accepted at all; English only when English is accepted and Vietnamese is not.
fn from_accept_language(header: &str) -> Option<Lang> {
    let mut accepted = Vec::new();
    for item in header.split(',') {
        let mut parts = item.trim().split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0
            && let Some(lang) = Lang::from_code(tag.split('-').next().unwrap_or_default())
        {
            accepted.push(lang);
        }
    }
    [Lang::Vi, Lang::En].into_iter().find(|lang| accepted.contains(lang))
}

/// A reader-friendly name for a course's audience tag (tags are free; unknown ones show as written).
pub fn audience(lang: Lang, tag: &str) -> String {
    let known = lang.texts().audience_tags.iter().find(|(t, _)| *t == tag);
    known.map_or(tag, |(_, label)| label).to_string()
}

/// A counted word in both its forms, so English says "1 result" and "2 results". Vietnamese nouns do not
/// change with the number: there both forms are the same.
#[derive(Debug, Clone, Copy)]
pub struct Plural {
    one: &'static str,
    other: &'static str,
}

impl Plural {
    /// A word with a singular and a plural (English).
    pub const fn new(one: &'static str, other: &'static str) -> Self {
        Self { one, other }
    }

    /// A word that is the same for every number (Vietnamese).
    pub const fn same(word: &'static str) -> Self {
        Self { one: word, other: word }
    }

    /// The number and the word in the form that goes with it: "1 hour", "3 hours", "0 hours".
    pub fn of(&self, n: impl Count) -> String {
        let n = n.count();
        format!("{n} {}", if n == 1 { self.one } else { self.other })
    }
}

/// A number of things, whatever integer type holds it (templates count with `usize`, `u32` and `i64`).
pub trait Count: Copy {
    fn count(self) -> u64;
}

macro_rules! count_for {
    ($($t:ty),*) => {
        $(impl Count for $t {
            fn count(self) -> u64 {
                u64::try_from(self).unwrap_or_default()
            }
        })*
    };
}

count_for!(usize, u32, u64, i32, i64);

/// Templates pass their fields by reference.
impl<T: Count> Count for &T {
    fn count(self) -> u64 {
        (*self).count()
    }
}

/// Every string of the interface, in one language. Being one struct, the compiler checks that both
/// languages have every message; messages with numbers are [`Plural`]s or functions with named arguments.
pub struct Texts {
    pub site_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub language: &'static str,
    pub breadcrumbs: &'static str,
    pub home: &'static str,
    pub catalog_title: &'static str,
    pub catalog_intro: &'static str,
    pub no_courses: &'static str,
    pub lessons: Plural,
    pub hours: Plural,
    pub minutes: &'static str,
    pub audience: &'static str,
    pub contents: &'static str,
    pub lesson_nav: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub course_lessons: &'static str,
    pub lesson_word: &'static str,
    pub minutes_short: &'static str,
    pub start: &'static str,
    pub quizzes: &'static str,
    pub quiz_pass: &'static str,
    pub quiz_time_limit: &'static str,
    pub quiz_no_time_limit: &'static str,
    pub back_to_course: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub error_title: &'static str,
    pub error_body: &'static str,
    pub back_home: &'static str,
    pub footer: &'static str,
    pub login_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_button: &'static str,
    pub login_failed: fn(failures: u32, minutes: u64) -> String,
    pub login_throttled: &'static str,
    /// Between the single sign-on button and the password form.
    pub login_or_password: &'static str,
    /// Under the password form when only admins may use it.
    pub login_local_admins_only: &'static str,
    /// A learner or trainer tried a local password where the city turned them off (the button's label).
    pub login_local_off: fn(label: &str) -> String,
    /// "Khoá học của tôi": the training programmes the person must complete (#18).
    pub my_programmes: &'static str,
    pub programme_due: fn(date: &str) -> String,
    pub programme_overdue: fn(date: &str) -> String,
    pub programme_renewal_open: fn(due: &str, valid_until: &str) -> String,
    pub programme_valid_until: fn(date: &str) -> String,
    pub programme_valid_forever: &'static str,
    pub programme_expired: fn(date: &str) -> String,
    pub sso_failed_title: &'static str,
    pub sso_unreachable: &'static str,
    pub sso_refused: &'static str,
    pub sso_stale: &'static str,
    pub sso_missing_attribute: fn(attribute: &str) -> String,
    pub sso_deactivated: &'static str,
    pub sso_not_registered: &'static str,
    pub sso_unknown_unit: fn(code: Option<&str>) -> String,
    pub sso_bad_username: fn(username: &str) -> String,
    pub sso_linked_elsewhere: &'static str,
    pub sso_try_again: &'static str,
    pub sso_use_password: &'static str,
    pub logout: &'static str,
    pub my_courses: &'static str,
    pub my_courses_empty: &'static str,
    pub continue_learning: &'static str,
    pub all_read_take_quiz: &'static str,
    pub go_to_quiz: &'static str,
    pub review: &'static str,
    pub due: &'static str,
    pub overdue: &'static str,
    pub lessons_read: &'static str,
    pub progress: &'static str,
    pub enrol_button: &'static str,
    pub enrolled: &'static str,
    pub not_self_enrol: &'static str,
    pub login_to_track: &'static str,
    pub mark_read: &'static str,
    pub lesson_read: &'static str,
    pub password_title: &'static str,
    pub password_must_change: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    pub password_save: &'static str,
    pub password_changed: &'static str,
    pub password_mismatch: &'static str,
    pub password_wrong: &'static str,
    pub password_weak: &'static str,
    pub forbidden_title: &'static str,
    pub forbidden_body: &'static str,
    pub account: &'static str,
    pub learners: &'static str,
    pub learners_enrolled: Plural,
    /// How many attempts a learner made, in the learners' table.
    pub attempts_made: Plural,
    pub no_learners: &'static str,
    /// The quiz statistics page (#19).
    pub stats: &'static StatsTexts,
    pub full_name: &'static str,
    pub unit: &'static str,
    pub quiz_questions: &'static str,
    pub quiz_attempts_allowed: &'static str,
    pub quiz_unlimited: &'static str,
    pub quiz_start: &'static str,
    pub quiz_retake: &'static str,
    pub quiz_resume: &'static str,
    pub quiz_your_attempts: &'static str,
    pub quiz_attempt_word: &'static str,
    pub quiz_started: &'static str,
    pub quiz_score: &'static str,
    pub quiz_passed: &'static str,
    pub quiz_failed: &'static str,
    pub quiz_in_progress: &'static str,
    pub quiz_review: &'static str,
    pub quiz_best: &'static str,
    pub quiz_no_attempts_left: &'static str,
    pub quiz_enrol_first: &'static str,
    pub quiz_login_first: &'static str,
    pub quiz_save: &'static str,
    pub quiz_submit: &'static str,
    pub quiz_submit_note: &'static str,
    pub quiz_time_left: &'static str,
    pub quiz_deadline: &'static str,
    pub quiz_saved: &'static str,
    pub quiz_autosaved: &'static str,
    pub quiz_autosave_failed: &'static str,
    pub quiz_true: &'static str,
    pub quiz_false: &'static str,
    pub quiz_your_answer: &'static str,
    pub quiz_accepted: &'static str,
    pub quiz_explanation: &'static str,
    pub quiz_correct: &'static str,
    pub quiz_incorrect: &'static str,
    pub quiz_partly: &'static str,
    pub quiz_right_option: &'static str,
    pub quiz_your_pick: &'static str,
    pub quiz_closed_by_server: &'static str,
    pub quiz_choose: &'static str,
    pub quiz_no_answer: &'static str,
    pub quiz_result: &'static str,
    pub quiz_back: &'static str,
    pub quiz_question: &'static str,
    pub quiz_type_answer: &'static str,
    pub quiz_type_number: &'static str,
    pub quiz_expired: &'static str,
    pub quiz_already_submitted: &'static str,
    pub quiz_pick_many: &'static str,
    pub quiz_pick_one: &'static str,
    pub quiz_match: &'static str,
    pub quiz_bad_answer: &'static str,
    pub quiz_open: &'static str,
    pub quiz_completion: &'static str,
    pub course_completed: &'static str,
    pub completed: &'static str,
    pub my_competencies: &'static str,
    pub competency_area: &'static str,
    pub competency_level: &'static str,
    pub competency_evidence: &'static str,
    pub awarded_on: &'static str,
    pub no_competencies: &'static str,
    pub transcript: &'static str,
    pub no_transcript: &'static str,
    pub completed_on: &'static str,
    pub certificate: &'static str,
    pub certificate_heading: &'static str,
    pub certificate_awarded_to: &'static str,
    pub certificate_completed: &'static str,
    pub certificate_code: &'static str,
    pub certificate_verify_at: &'static str,
    pub certificate_print: &'static str,
    pub certificate_duration: &'static str,
    pub certificate_competencies: &'static str,
    /// A certificate's validity as of today: still valid through a day, or expired after it (#18).
    pub certificate_validity: &'static str,
    pub certificate_valid_until: fn(date: &str) -> String,
    pub certificate_expired_on: fn(date: &str) -> String,
    pub verify_title: &'static str,
    pub verify_intro: &'static str,
    pub verify_genuine: &'static str,
    pub verify_unknown: &'static str,
    pub verify_button: &'static str,
    pub issued_on: &'static str,
    pub holder: &'static str,
    pub course_word: &'static str,
    pub quiz_attempts_left: &'static str,
    pub competency_word: &'static str,
    pub search_box: &'static str,
    pub search_title: &'static str,
    pub search_label: &'static str,
    pub search_button: &'static str,
    pub search_course: &'static str,
    pub search_all_courses: &'static str,
    pub search_help: &'static str,
    pub search_empty: &'static str,
    pub search_no_results: &'static str,
    pub search_no_results_tips: &'static str,
    pub search_everywhere: &'static str,
    pub search_now_only: &'static str,
    pub search_results: Plural,
    pub search_course_hit: &'static str,
    pub search_pages: &'static str,
    pub search_previous: &'static str,
    pub search_next: &'static str,
    pub search_truncated: &'static str,
    pub search_unclosed_quote: &'static str,
    pub search_operators: &'static str,
    pub search_preparing: &'static str,
    pub search_some_words: &'static str,
    /// Course feedback (#19): the questionnaire, the thank-you, the prompts and the results.
    pub feedback_title: &'static str,
    pub feedback_intro: &'static str,
    pub feedback_prompt: &'static str,
    pub feedback_give: &'static str,
    pub feedback_prompts_title: &'static str,
    /// The five-point scale, 1 to 5.
    pub feedback_scale: [&'static str; 5],
    pub feedback_comment_hint: fn(max: usize) -> String,
    pub feedback_send: &'static str,
    pub feedback_missing: &'static str,
    pub feedback_comment_too_long: fn(chars: usize, max: usize) -> String,
    pub feedback_thanks: &'static str,
    pub feedback_results: &'static str,
    pub feedback_results_intro: &'static str,
    pub feedback_too_few: fn(min: usize) -> String,
    pub feedback_respondents: Plural,
    pub feedback_satisfaction: &'static str,
    pub feedback_satisfaction_hint: &'static str,
    pub feedback_item: &'static str,
    pub feedback_answers: &'static str,
    pub feedback_mean: &'static str,
    pub feedback_comments: &'static str,
    pub feedback_no_comments: &'static str,
    pub feedback_removed_item: &'static str,
    pub feedback_from: &'static str,
    pub feedback_to: &'static str,
    pub feedback_unit: &'static str,
    pub feedback_all_units: &'static str,
    pub feedback_show: &'static str,
    pub feedback_distribution: &'static str,
    /// The language switch names each language in itself, so these are the same in every table.
    pub language_vi: &'static str,
    pub language_en: &'static str,
    /// Known audience tags of `course.toml` and how readers call them.
    pub audience_tags: &'static [(&'static str, &'static str)],
    // Extra time (#19): the attempt page says how long the person has, and that it includes their extra time.
    pub quiz_time_allowed: &'static str,
    pub quiz_minutes: &'static str,
    pub quiz_extra_time: &'static str,
    // Competency mapping (#20): under each competency on "Năng lực của tôi", the reference frameworks it maps to.
    pub competency_maps_to: &'static str,
}

pub static VI: Texts = Texts {
    site_name: "Đào tạo số",
    tagline: "Bồi dưỡng kỹ năng số cho cán bộ, công chức",
    skip_to_content: "Bỏ qua, đến nội dung chính",
    language: "Ngôn ngữ",
    breadcrumbs: "Đường dẫn",
    home: "Trang chủ",
    catalog_title: "Danh mục khoá học",
    catalog_intro: "Các khoá bồi dưỡng về chính quyền số, dịch vụ công trực tuyến và an toàn thông tin.",
    no_courses: "Chưa có khoá học nào.",
    lessons: Plural::same("bài học"),
    hours: Plural::same("giờ"),
    minutes: "phút đọc",
    audience: "Đối tượng",
    contents: "Mục lục",
    lesson_nav: "Chuyển bài",
    previous: "Bài trước",
    next: "Bài tiếp theo",
    course_lessons: "Các bài học",
    lesson_word: "Bài",
    minutes_short: "phút",
    start: "Bắt đầu học",
    quizzes: "Bài kiểm tra",
    quiz_pass: "Điểm đạt",
    quiz_time_limit: "Thời gian làm bài",
    quiz_no_time_limit: "không giới hạn thời gian",
    back_to_course: "Về trang khoá học",
    not_found_title: "Không tìm thấy trang",
    not_found_body: "Trang bạn tìm không tồn tại hoặc đã được chuyển đi.",
    error_title: "Đã có lỗi xảy ra",
    error_body: "Máy chủ không xử lý được yêu cầu này. Vui lòng thử lại sau ít phút.",
    back_home: "Về danh mục khoá học",
    footer: "Đào tạo số: nền tảng bồi dưỡng chuyển đổi số cho cán bộ, công chức.",
    login_title: "Đăng nhập",
    username: "Tên đăng nhập",
    password: "Mật khẩu",
    login_button: "Đăng nhập",
    login_failed: |failures, minutes| {
        format!(
            "Tên đăng nhập hoặc mật khẩu không đúng. Sau {failures} lần sai liên tiếp, tài khoản bị tạm khoá {minutes} phút."
        )
    },
    login_throttled: "Có quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau ít phút.",
    login_or_password: "hoặc đăng nhập bằng mật khẩu",
    login_local_admins_only: "Đăng nhập bằng mật khẩu chỉ dành cho quản trị viên.",
    login_local_off: |label| {
        format!("Học viên và giảng viên đăng nhập bằng nút „{label}“; mật khẩu chỉ dành cho quản trị viên.")
    },
    my_programmes: "Chương trình bồi dưỡng bắt buộc",
    programme_due: |date| format!("Cần hoàn thành trước ngày {date}."),
    programme_overdue: |date| format!("Quá hạn: cần hoàn thành trước ngày {date}."),
    programme_renewal_open: |due, until| {
        format!(
            "Đã đến kỳ bồi dưỡng lại: hoàn thành trước ngày {due}. Kết quả lần trước còn hiệu lực đến {until}."
        )
    },
    programme_valid_until: |date| format!("Đã hoàn thành, còn hiệu lực đến {date}."),
    programme_valid_forever: "Đã hoàn thành.",
    programme_expired: |date| format!("Đã hết hạn ngày {date}."),
    sso_failed_title: "Chưa đăng nhập được",
    sso_unreachable: "Hệ thống đăng nhập một lần của thành phố hiện không phản hồi hoặc trả lời không hợp lệ. \
        Vui lòng thử lại sau ít phút; nếu vẫn không được, hãy báo cho quản trị viên.",
    sso_refused: "Hệ thống đăng nhập một lần không xác nhận lần đăng nhập này. Vui lòng đăng nhập lại.",
    sso_stale: "Lần đăng nhập này đã hết hạn hoặc đã được dùng. Vui lòng bắt đầu lại.",
    sso_missing_attribute: |attribute| {
        format!(
            "Hệ thống đăng nhập một lần không gửi thông tin „{attribute}“ cần để nhận ra bạn. Vui lòng báo cho quản trị viên."
        )
    },
    sso_deactivated: "Tài khoản của bạn trên hệ thống đào tạo đã bị vô hiệu hoá. Vui lòng liên hệ quản trị viên.",
    sso_not_registered: "Bạn chưa có tài khoản trên hệ thống đào tạo, và hệ thống không tự tạo tài khoản mới. \
        Vui lòng liên hệ cán bộ phụ trách đào tạo của đơn vị.",
    sso_unknown_unit: |code| match code {
        Some(code) => format!(
            "Đơn vị của bạn (mã „{code}“) chưa có trên hệ thống đào tạo, nên chưa tạo được tài khoản. Vui lòng liên hệ quản trị viên."
        ),
        None => "Hệ thống đăng nhập một lần không cho biết đơn vị của bạn, nên chưa tạo được tài khoản. \
            Vui lòng liên hệ quản trị viên."
            .into(),
    },
    sso_bad_username: |username| {
        format!(
            "Tên đăng nhập „{username}“ do hệ thống đăng nhập một lần gửi không dùng được ở đây. Vui lòng liên hệ quản trị viên."
        )
    },
    sso_linked_elsewhere: "Tên đăng nhập này đã gắn với một danh tính đăng nhập một lần khác. Vui lòng liên hệ quản trị viên.",
    sso_try_again: "Thử đăng nhập lại",
    sso_use_password: "Đăng nhập bằng mật khẩu",
    logout: "Đăng xuất",
    my_courses: "Khoá học của tôi",
    my_courses_empty: "Bạn chưa ghi danh khoá học nào. Hãy chọn một khoá trong danh mục.",
    continue_learning: "Học tiếp",
    all_read_take_quiz: "Bạn đã đọc hết các bài học. Làm đạt bài kiểm tra cuối khoá để hoàn thành khoá học.",
    go_to_quiz: "Làm bài kiểm tra",
    review: "Xem lại",
    due: "Hạn hoàn thành",
    overdue: "Quá hạn",
    lessons_read: "bài đã đọc",
    progress: "Tiến độ",
    enrol_button: "Ghi danh khoá học",
    enrolled: "Bạn đã ghi danh khoá học này.",
    not_self_enrol: "Khoá học này do quản trị viên ghi danh.",
    login_to_track: "Đăng nhập để ghi danh và lưu tiến độ học.",
    mark_read: "Đánh dấu đã đọc xong",
    lesson_read: "Bạn đã đọc xong bài này.",
    password_title: "Đổi mật khẩu",
    password_must_change: "Bạn đang dùng mật khẩu một lần. Hãy đặt mật khẩu mới để tiếp tục.",
    current_password: "Mật khẩu hiện tại",
    new_password: "Mật khẩu mới (ít nhất 8 ký tự)",
    confirm_password: "Nhập lại mật khẩu mới",
    password_save: "Lưu mật khẩu mới",
    password_changed: "Đã đổi mật khẩu.",
    password_mismatch: "Hai lần nhập mật khẩu mới không khớp.",
    password_wrong: "Mật khẩu hiện tại không đúng.",
    password_weak: "Mật khẩu mới cần ít nhất 8 ký tự, khác tên đăng nhập và khác mật khẩu cũ.",
    forbidden_title: "Không thực hiện được yêu cầu",
    forbidden_body: "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.",
    account: "Tài khoản",
    learners: "Học viên của khoá học",
    learners_enrolled: Plural::same("học viên đã ghi danh"),
    attempts_made: Plural::same("lần"),
    no_learners: "Chưa có học viên nào ghi danh.",
    stats: &STATS_VI,
    full_name: "Họ và tên",
    unit: "Đơn vị",
    quiz_questions: "Số câu hỏi",
    quiz_attempts_allowed: "Số lần được làm",
    quiz_unlimited: "không giới hạn",
    quiz_start: "Bắt đầu làm bài",
    quiz_retake: "Làm lại bài kiểm tra",
    quiz_resume: "Tiếp tục bài đang làm",
    quiz_your_attempts: "Các lần làm bài của bạn",
    quiz_attempt_word: "Lần",
    quiz_started: "Bắt đầu",
    quiz_score: "Điểm",
    quiz_passed: "Đạt",
    quiz_failed: "Chưa đạt",
    quiz_in_progress: "Đang làm",
    quiz_review: "Xem lại",
    quiz_best: "Kết quả được tính (cao nhất)",
    quiz_no_attempts_left: "Bạn đã dùng hết số lần làm bài kiểm tra này.",
    quiz_enrol_first: "Hãy ghi danh vào khoá học để làm bài kiểm tra.",
    quiz_login_first: "Đăng nhập để làm bài kiểm tra.",
    quiz_save: "Lưu bài",
    quiz_submit: "Nộp bài",
    quiz_submit_note: "Sau khi nộp, bạn không thể sửa câu trả lời.",
    quiz_time_left: "Thời gian còn lại",
    quiz_deadline: "Hạn nộp bài",
    quiz_saved: "Đã lưu câu trả lời.",
    quiz_autosaved: "Đã tự động lưu",
    quiz_autosave_failed: "Chưa lưu được: kiểm tra kết nối mạng",
    quiz_true: "Đúng",
    quiz_false: "Sai",
    quiz_your_answer: "Câu trả lời của bạn",
    quiz_accepted: "Đáp án được chấp nhận",
    quiz_explanation: "Giải thích",
    quiz_correct: "Đúng",
    quiz_incorrect: "Chưa đúng",
    quiz_partly: "Đúng một phần",
    quiz_right_option: "đáp án đúng",
    quiz_your_pick: "bạn chọn",
    quiz_closed_by_server: "Hết giờ: bài được chấm theo các câu trả lời đã lưu trước hạn.",
    quiz_choose: "— chọn —",
    quiz_no_answer: "(không trả lời)",
    quiz_result: "Kết quả",
    quiz_back: "Về trang bài kiểm tra",
    quiz_question: "Câu",
    quiz_type_answer: "Câu trả lời",
    quiz_type_number: "Nhập một số (ví dụ 3,5)",
    quiz_expired: "Đã hết giờ làm bài.",
    quiz_already_submitted: "Bài đã nộp: không thể sửa câu trả lời.",
    quiz_pick_many: "Chọn tất cả phương án đúng.",
    quiz_pick_one: "Chọn một phương án.",
    quiz_match: "Ghép mỗi mục với một lựa chọn.",
    quiz_bad_answer: "Câu trả lời không hợp lệ",
    quiz_open: "Làm bài kiểm tra",
    quiz_completion: "Cần đạt bài kiểm tra này để hoàn thành khoá học.",
    course_completed: "Bạn đã hoàn thành khoá học.",
    completed: "Đã hoàn thành",
    my_competencies: "Năng lực của tôi",
    competency_area: "Lĩnh vực",
    competency_level: "Mức",
    competency_evidence: "Minh chứng",
    awarded_on: "Ngày ghi nhận",
    no_competencies: "Bạn chưa có năng lực nào được ghi nhận. Hoàn thành một khoá học để được ghi nhận.",
    transcript: "Các khoá học đã hoàn thành",
    no_transcript: "Bạn chưa hoàn thành khoá học nào.",
    completed_on: "Ngày hoàn thành",
    certificate: "Chứng nhận",
    certificate_heading: "Chứng nhận hoàn thành khoá học",
    certificate_awarded_to: "Chứng nhận",
    certificate_completed: "đã hoàn thành khoá học",
    certificate_code: "Mã xác minh",
    certificate_verify_at: "Kiểm tra tính xác thực tại",
    certificate_print: "In chứng nhận",
    certificate_duration: "Thời lượng",
    certificate_competencies: "Năng lực được công nhận",
    certificate_validity: "Hiệu lực",
    certificate_valid_until: |date| format!("Còn hiệu lực đến {date}"),
    certificate_expired_on: |date| format!("Đã hết hạn ngày {date}"),
    verify_title: "Xác minh chứng nhận",
    verify_intro: "Nhập mã xác minh in trên chứng nhận.",
    verify_genuine: "Chứng nhận hợp lệ, do hệ thống Đào tạo số cấp.",
    verify_unknown: "Không có chứng nhận nào mang mã này. Hãy kiểm tra lại mã; nếu đúng như in trên giấy thì chứng nhận không phải do hệ thống này cấp.",
    verify_button: "Kiểm tra",
    issued_on: "Ngày cấp",
    holder: "Người được cấp",
    course_word: "Khoá học",
    quiz_attempts_left: "Còn lại",
    competency_word: "Năng lực",
    search_box: "Tìm kiếm trong các bài học",
    search_title: "Tìm kiếm",
    search_label: "Tìm trong các bài học (có dấu hoặc không dấu)",
    search_button: "Tìm",
    search_course: "Trong khoá học",
    search_all_courses: "Tất cả khoá học",
    search_help: "Gõ vài từ, có dấu hoặc không dấu: \"chinh quyen so\" tìm được \"chính quyền số\". Đặt cụm từ trong dấu ngoặc kép để tìm đúng cụm đó.",
    search_empty: "Nhập từ cần tìm vào ô trên, ví dụ: mật khẩu, dịch vụ công, \"mã OTP\".",
    search_no_results: "Không tìm thấy kết quả nào",
    search_no_results_tips: "Hãy thử: dùng ít từ hơn, kiểm tra chính tả, bỏ dấu ngoặc kép, hoặc gõ không dấu.",
    search_everywhere: "Tìm trong tất cả khoá học",
    search_now_only: "đang chỉ tìm trong khoá",
    search_results: Plural::same("kết quả"),
    search_course_hit: "Khoá học",
    search_pages: "Các trang kết quả",
    search_previous: "Trang trước",
    search_next: "Trang sau",
    search_truncated: "Câu tìm kiếm quá dài nên chỉ phần đầu được dùng.",
    search_unclosed_quote: "Thiếu dấu ngoặc kép đóng: phần sau dấu ngoặc được tìm như một cụm từ.",
    search_operators: "Không cần AND, OR, NOT: kết quả chứa mọi từ bạn gõ, trừ khi không mục nào có đủ.",
    search_preparing: "Chức năng tìm kiếm đang được chuẩn bị sau khi máy chủ khởi động. Vui lòng thử lại sau vài giây.",
    search_some_words: "Không có mục nào chứa đủ mọi từ bạn gõ; dưới đây là các mục chứa một phần, mục chứa nhiều từ hơn xếp trước. Hãy bớt từ hoặc kiểm tra chính tả.",
    feedback_title: "Ý kiến về khoá học",
    feedback_intro: "Ý kiến của anh/chị giúp giảng viên hoàn thiện khoá học. Câu trả lời được lưu tách khỏi tên \
        của anh/chị: không ai, kể cả quản trị viên, biết câu trả lời nào là của anh/chị. Mỗi người chỉ góp ý một lần.",
    feedback_prompt: "Anh/chị đã hoàn thành khoá học. Xin dành một phút cho biết ý kiến về khoá học.",
    feedback_give: "Góp ý về khoá học",
    feedback_prompts_title: "Khoá học đang chờ ý kiến của anh/chị",
    feedback_scale: ["Rất không đồng ý", "Không đồng ý", "Phân vân", "Đồng ý", "Rất đồng ý"],
    feedback_comment_hint: |max| format!("Không bắt buộc, tối đa {max} ký tự."),
    feedback_send: "Gửi ý kiến",
    feedback_missing: "Vui lòng chọn một mức cho mỗi nhận định.",
    feedback_comment_too_long: |chars, max| {
        format!("Góp ý dài {chars} ký tự; vui lòng rút gọn còn tối đa {max} ký tự.")
    },
    feedback_thanks: "Cảm ơn anh/chị đã góp ý cho khoá học này. Ý kiến của anh/chị đã được ghi nhận.",
    feedback_results: "Kết quả lấy ý kiến học viên",
    feedback_results_intro: "Câu trả lời không gắn với tên người trả lời. Tỷ lệ hài lòng là tỷ lệ người trả lời \
        có điểm trung bình các nhận định từ 4 trở lên.",
    feedback_too_few: |min| {
        format!(
            "Nhóm này có ít hơn {min} câu trả lời nên kết quả không được hiển thị, để không ai bị nhận ra qua \
             câu trả lời của mình. Hãy chọn khoảng thời gian dài hơn hoặc đơn vị lớn hơn."
        )
    },
    feedback_respondents: Plural::same("người trả lời"),
    feedback_satisfaction: "Tỷ lệ hài lòng",
    feedback_satisfaction_hint: "điểm trung bình từ 4 trở lên",
    feedback_item: "Nhận định",
    feedback_answers: "Số trả lời",
    feedback_mean: "Điểm trung bình",
    feedback_comments: "Góp ý",
    feedback_no_comments: "Chưa có góp ý bằng lời.",
    feedback_removed_item: "nhận định không còn trong phiếu",
    feedback_from: "Từ tháng",
    feedback_to: "Đến tháng",
    feedback_unit: "Đơn vị (gồm cả đơn vị trực thuộc)",
    feedback_all_units: "Tất cả đơn vị",
    feedback_show: "Xem",
    feedback_distribution: "Số người chọn mỗi mức",
    language_vi: "Tiếng Việt",
    language_en: "English",
    audience_tags: &[
        ("all-staff", "mọi cán bộ, công chức"),
        ("it-staff", "cán bộ chuyên trách CNTT"),
        ("one-stop-shop", "cán bộ bộ phận một cửa"),
    ],
    quiz_time_allowed: "Thời gian làm bài",
    quiz_minutes: "phút",
    quiz_extra_time: "đã gồm thời gian thêm dành cho bạn",
    competency_maps_to: "Tương ứng với",
};

pub static EN: Texts = Texts {
    site_name: "Đào tạo số",
    tagline: "Digital skills training for civil servants",
    skip_to_content: "Skip to main content",
    language: "Language",
    breadcrumbs: "Breadcrumbs",
    home: "Home",
    catalog_title: "Course catalog",
    catalog_intro: "Training on digital government, online public services and information security.",
    no_courses: "There are no courses yet.",
    lessons: Plural::new("lesson", "lessons"),
    hours: Plural::new("hour", "hours"),
    minutes: "min read",
    audience: "Audience",
    contents: "Contents",
    lesson_nav: "Lesson navigation",
    previous: "Previous lesson",
    next: "Next lesson",
    course_lessons: "Lessons",
    lesson_word: "Lesson",
    minutes_short: "min",
    start: "Start the course",
    quizzes: "Quizzes",
    quiz_pass: "Pass mark",
    quiz_time_limit: "Time limit",
    quiz_no_time_limit: "no time limit",
    back_to_course: "Back to the course",
    not_found_title: "Page not found",
    not_found_body: "The page you are looking for does not exist or has moved.",
    error_title: "Something went wrong",
    error_body: "The server could not handle this request. Please try again in a few minutes.",
    back_home: "Back to the course catalog",
    footer: "Đào tạo số: digital transformation training for civil servants.",
    login_title: "Log in",
    username: "Username",
    password: "Password",
    login_button: "Log in",
    login_failed: |failures, minutes| {
        format!(
            "Wrong username or password. After {} in a row the account is locked for {}.",
            Plural::new("failure", "failures").of(failures),
            Plural::new("minute", "minutes").of(minutes),
        )
    },
    login_throttled: "Too many failed logins from this address. Please try again in a few minutes.",
    login_or_password: "or log in with a password",
    login_local_admins_only: "Logging in with a password is for administrators only.",
    login_local_off: |label| {
        format!(
            "Learners and trainers log in with the “{label}” button; passwords are for administrators only."
        )
    },
    my_programmes: "Required training programmes",
    programme_due: |date| format!("To complete by {date}."),
    programme_overdue: |date| format!("Overdue: it was to be completed by {date}."),
    programme_renewal_open: |due, until| {
        format!("Renewal is open: complete it by {due}. The last completion is valid until {until}.")
    },
    programme_valid_until: |date| format!("Completed, valid until {date}."),
    programme_valid_forever: "Completed.",
    programme_expired: |date| format!("Expired on {date}."),
    sso_failed_title: "Not logged in yet",
    sso_unreachable: "The city's single sign-on does not answer, or answers something we cannot use. \
        Please try again in a few minutes; if it still fails, tell the administrator.",
    sso_refused: "The single sign-on did not confirm this login. Please log in again.",
    sso_stale: "This login has expired or was already used. Please start again.",
    sso_missing_attribute: |attribute| {
        format!(
            "The single sign-on did not send “{attribute}”, which is needed to know who you are. Please tell the administrator."
        )
    },
    sso_deactivated: "Your account on the training platform has been deactivated. Please contact the administrator.",
    sso_not_registered: "You have no account on the training platform, and new accounts are not created automatically. \
        Please contact your unit's training officer.",
    sso_unknown_unit: |code| match code {
        Some(code) => format!(
            "Your unit (code “{code}”) is not on the training platform yet, so no account could be created. Please contact the administrator."
        ),
        None => "The single sign-on did not say which unit you belong to, so no account could be created. \
            Please contact the administrator."
            .into(),
    },
    sso_bad_username: |username| {
        format!(
            "The username “{username}” sent by the single sign-on cannot be used here. Please contact the administrator."
        )
    },
    sso_linked_elsewhere: "This username is already linked to another single sign-on identity. Please contact the administrator.",
    sso_try_again: "Try again",
    sso_use_password: "Log in with a password",
    logout: "Log out",
    my_courses: "My courses",
    my_courses_empty: "You are not enrolled in any course yet. Pick one from the catalog.",
    continue_learning: "Continue",
    all_read_take_quiz: "You have read every lesson. Pass the final quiz to complete the course.",
    go_to_quiz: "Take the quiz",
    review: "Review",
    due: "Due",
    overdue: "Overdue",
    lessons_read: "lessons read",
    progress: "Progress",
    enrol_button: "Enrol in this course",
    enrolled: "You are enrolled in this course.",
    not_self_enrol: "Enrolment in this course is done by an administrator.",
    login_to_track: "Log in to enrol and keep track of your progress.",
    mark_read: "Mark as read",
    lesson_read: "You have read this lesson.",
    password_title: "Change password",
    password_must_change: "You are using a one-time password. Choose a new password to continue.",
    current_password: "Current password",
    new_password: "New password (at least 8 characters)",
    confirm_password: "New password again",
    password_save: "Save the new password",
    password_changed: "Your password has been changed.",
    password_mismatch: "The two new passwords do not match.",
    password_wrong: "The current password is wrong.",
    password_weak: "The new password needs at least 8 characters and must differ from the username and the old password.",
    forbidden_title: "The request was refused",
    forbidden_body: "The form has expired or is not valid. Please reload the page and try again.",
    account: "Account",
    learners: "Learners of the course",
    learners_enrolled: Plural::new("learner enrolled", "learners enrolled"),
    attempts_made: Plural::new("attempt", "attempts"),
    no_learners: "No learner is enrolled yet.",
    stats: &STATS_EN,
    full_name: "Full name",
    unit: "Unit",
    quiz_questions: "Questions",
    quiz_attempts_allowed: "Attempts allowed",
    quiz_unlimited: "unlimited",
    quiz_start: "Start the quiz",
    quiz_retake: "Try again",
    quiz_resume: "Continue your attempt",
    quiz_your_attempts: "Your attempts",
    quiz_attempt_word: "Attempt",
    quiz_started: "Started",
    quiz_score: "Score",
    quiz_passed: "Passed",
    quiz_failed: "Not passed",
    quiz_in_progress: "In progress",
    quiz_review: "Review",
    quiz_best: "Result that counts (best)",
    quiz_no_attempts_left: "You have used every attempt at this quiz.",
    quiz_enrol_first: "Enrol in the course to take its quizzes.",
    quiz_login_first: "Log in to take the quiz.",
    quiz_save: "Save answers",
    quiz_submit: "Submit",
    quiz_submit_note: "Once submitted, answers cannot be changed.",
    quiz_time_left: "Time left",
    quiz_deadline: "Deadline",
    quiz_saved: "Answers saved.",
    quiz_autosaved: "Saved automatically",
    quiz_autosave_failed: "Not saved: check your connection",
    quiz_true: "True",
    quiz_false: "False",
    quiz_your_answer: "Your answer",
    quiz_accepted: "Accepted answers",
    quiz_explanation: "Explanation",
    quiz_correct: "Correct",
    quiz_incorrect: "Incorrect",
    quiz_partly: "Partly correct",
    quiz_right_option: "right answer",
    quiz_your_pick: "your choice",
    quiz_closed_by_server: "Time ran out: the answers saved in time were graded.",
    quiz_choose: "— choose —",
    quiz_no_answer: "(no answer)",
    quiz_result: "Result",
    quiz_back: "Back to the quiz",
    quiz_question: "Question",
    quiz_type_answer: "Answer",
    quiz_type_number: "Type a number (e.g. 3.5)",
    quiz_expired: "The time for this attempt is over.",
    quiz_already_submitted: "Already submitted: answers cannot change.",
    quiz_pick_many: "Choose every right answer.",
    quiz_pick_one: "Choose one answer.",
    quiz_match: "Match each item with a choice.",
    quiz_bad_answer: "Invalid answer",
    quiz_open: "Take the quiz",
    quiz_completion: "Pass this quiz to complete the course.",
    course_completed: "You have completed this course.",
    completed: "Completed",
    my_competencies: "My competencies",
    competency_area: "Area",
    competency_level: "Level",
    competency_evidence: "Evidence",
    awarded_on: "Awarded on",
    no_competencies: "No competency recorded yet. Complete a course to earn one.",
    transcript: "Completed courses",
    no_transcript: "You have not completed a course yet.",
    completed_on: "Completed on",
    certificate: "Certificate",
    certificate_heading: "Certificate of completion",
    certificate_awarded_to: "This certifies that",
    certificate_completed: "has completed the course",
    certificate_code: "Verification code",
    certificate_verify_at: "Check that it is genuine at",
    certificate_print: "Print the certificate",
    certificate_duration: "Length",
    certificate_competencies: "Competencies recognised",
    certificate_validity: "Validity",
    certificate_valid_until: |date| format!("Valid until {date}"),
    certificate_expired_on: |date| format!("Expired on {date}"),
    verify_title: "Verify a certificate",
    verify_intro: "Type the verification code printed on the certificate.",
    verify_genuine: "This certificate is genuine: issued by Đào tạo số.",
    verify_unknown: "No certificate has this code. Check the code; if it is as printed, the certificate was not issued here.",
    verify_button: "Check",
    issued_on: "Issued on",
    holder: "Holder",
    course_word: "Course",
    quiz_attempts_left: "Attempts left",
    competency_word: "Competency",
    search_box: "Search the lessons",
    search_title: "Search",
    search_label: "Search the lessons (with or without diacritics)",
    search_button: "Search",
    search_course: "In course",
    search_all_courses: "All courses",
    search_help: "Type a few words, with or without diacritics: \"chinh quyen so\" finds \"chính quyền số\". Put a phrase in double quotes to find exactly that phrase.",
    search_empty: "Type what you are looking for in the box above, for example: mật khẩu, dịch vụ công, \"mã OTP\".",
    search_no_results: "No results",
    search_no_results_tips: "Try fewer words, check the spelling, remove the double quotes, or type without diacritics.",
    search_everywhere: "Search all courses",
    search_now_only: "now searching only in",
    search_results: Plural::new("result", "results"),
    search_course_hit: "Course",
    search_pages: "Result pages",
    search_previous: "Previous page",
    search_next: "Next page",
    search_truncated: "The search was too long: only its beginning was used.",
    search_unclosed_quote: "A closing double quote is missing: the words after the quote were searched as a phrase.",
    search_operators: "AND, OR and NOT are not needed: results contain every word you type, unless no section has them all.",
    search_preparing: "Search is being prepared after the server started. Please try again in a few seconds.",
    search_some_words: "No section contains every word you typed; these contain some of them, those with more words first. Try fewer words or check the spelling.",
    feedback_title: "Course feedback",
    feedback_intro: "Your opinion helps the trainers improve the course. Your answer is stored apart from your \
        name: nobody, administrators included, can tell which answer is yours. Each person answers once.",
    feedback_prompt: "You have completed the course. Please take a minute to tell us what you think of it.",
    feedback_give: "Give feedback on the course",
    feedback_prompts_title: "Courses waiting for your feedback",
    feedback_scale: ["Strongly disagree", "Disagree", "Undecided", "Agree", "Strongly agree"],
    feedback_comment_hint: |max| format!("Optional, at most {max} characters."),
    feedback_send: "Send feedback",
    feedback_missing: "Please choose a level for every statement.",
    feedback_comment_too_long: |chars, max| {
        format!("The comment is {chars} characters long; please shorten it to at most {max}.")
    },
    feedback_thanks: "Thank you for your feedback on this course. It has been recorded.",
    feedback_results: "Learners' feedback",
    feedback_results_intro: "Answers are not linked to the people who gave them. The satisfaction rate is the \
        share of respondents whose average over the statements is 4 or more.",
    feedback_too_few: |min| {
        format!(
            "This group has fewer than {min} answers, so its results are not shown: nobody should be \
             recognisable by their answer. Choose a longer period or a larger unit."
        )
    },
    feedback_respondents: Plural::new("respondent", "respondents"),
    feedback_satisfaction: "Satisfaction rate",
    feedback_satisfaction_hint: "an average of 4 or more",
    feedback_item: "Statement",
    feedback_answers: "Answers",
    feedback_mean: "Mean",
    feedback_comments: "Comments",
    feedback_no_comments: "No written comments yet.",
    feedback_removed_item: "a statement no longer in the questionnaire",
    feedback_from: "From month",
    feedback_to: "To month",
    feedback_unit: "Unit (with its sub-units)",
    feedback_all_units: "All units",
    feedback_show: "Show",
    feedback_distribution: "People choosing each level",
    language_vi: "Tiếng Việt",
    language_en: "English",
    audience_tags: &[
        ("all-staff", "all staff"),
        ("it-staff", "IT staff"),
        ("one-stop-shop", "one-stop-shop officers"),
    ],
    quiz_time_allowed: "Time allowed",
    quiz_minutes: "minutes",
    quiz_extra_time: "including the extra time granted to you",
    competency_maps_to: "Corresponds to",
};

/// The words of the quiz statistics page (#19), kept together.
pub struct StatsTexts {
    pub title: &'static str,
    pub link: &'static str,
    pub filter: &'static str,
    pub attempts_first: &'static str,
    pub attempts_all: &'static str,
    pub unit: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub show: &'static str,
    pub first_only_note: &'static str,
    pub unknown_unit: fn(code: &str) -> String,
    pub bad_date: fn(text: &str) -> String,
    pub no_attempts: &'static str,
    pub quiz_caption: &'static str,
    pub attempts_counted: &'static str,
    pub mean: &'static str,
    pub median: &'static str,
    pub sd: &'static str,
    pub alpha: &'static str,
    pub error_ratio: &'static str,
    pub standard_error: &'static str,
    pub questions_caption: &'static str,
    pub question: &'static str,
    pub asked: &'static str,
    pub facility: &'static str,
    pub question_sd: &'static str,
    pub discrimination: &'static str,
    pub efficiency: &'static str,
    pub flags: &'static str,
    pub too_easy: &'static str,
    pub too_hard: &'static str,
    pub low_discrimination: &'static str,
    pub wrong_key: fn(option: &str) -> String,
    pub fix_at: &'static str,
    pub options: &'static str,
    pub picked: Plural,
    pub right: &'static str,
    pub answer_true: &'static str,
    pub answer_false: &'static str,
    pub removed: &'static str,
    pub undefined: &'static str,
    /// Question kinds by their API name.
    pub kinds: &'static [(&'static str, &'static str)],
}

pub static STATS_VI: StatsTexts = StatsTexts {
    title: "Thống kê câu hỏi",
    link: "Thống kê câu hỏi",
    filter: "Chọn lượt làm bài",
    attempts_first: "Chỉ lần làm đầu tiên của mỗi học viên (mặc định)",
    attempts_all: "Mọi lần làm",
    unit: "Mã đơn vị (gồm đơn vị trực thuộc)",
    from: "Nộp từ ngày",
    to: "Đến ngày",
    show: "Xem thống kê",
    first_only_note: "Mặc định chỉ tính lần làm đầu tiên: ở lần sau, học viên đã gặp các câu hỏi nên câu hỏi trông dễ hơn thực tế.",
    unknown_unit: |code| format!("Không có đơn vị mã «{code}»."),
    bad_date: |text| format!("«{text}» không phải là ngày (năm-tháng-ngày, ví dụ 2026-03-31)."),
    no_attempts: "Chưa có lượt làm bài nào đã nộp khớp với lựa chọn này.",
    quiz_caption: "Toàn bài (điểm tính theo phần trăm)",
    attempts_counted: "Số lượt làm được tính",
    mean: "Điểm trung bình",
    median: "Trung vị",
    sd: "Độ lệch chuẩn",
    alpha: "Hệ số nhất quán nội tại (Cronbach α)",
    error_ratio: "Tỉ lệ sai số",
    standard_error: "Sai số chuẩn",
    questions_caption: "Từng câu hỏi, theo thứ tự trong tệp",
    question: "Câu hỏi",
    asked: "Số lần hỏi",
    facility: "Độ dễ (%)",
    question_sd: "Độ lệch chuẩn (%)",
    discrimination: "Chỉ số phân loại",
    efficiency: "Hiệu quả phân loại (%)",
    flags: "Cần xem lại",
    too_easy: "Quá dễ",
    too_hard: "Quá khó",
    low_discrimination: "Phân loại kém",
    wrong_key: |option| format!("Có thể sai đáp án: phương án «{option}»"),
    fix_at: "Sửa tại",
    options: "Các phương án",
    picked: Plural::same("lượt chọn"),
    right: "(đáp án đúng)",
    answer_true: "Đúng",
    answer_false: "Sai",
    removed: "(Câu hỏi không còn trong tệp bài kiểm tra)",
    undefined: "không xác định",
    kinds: &[
        ("single", "Một lựa chọn"),
        ("multiple", "Nhiều lựa chọn"),
        ("true_false", "Đúng/Sai"),
        ("short", "Trả lời ngắn"),
        ("numerical", "Trả lời bằng số"),
        ("matching", "Ghép đôi"),
    ],
};

pub static STATS_EN: StatsTexts = StatsTexts {
    title: "Question statistics",
    link: "Question statistics",
    filter: "Attempts to count",
    attempts_first: "Each learner's first attempt only (default)",
    attempts_all: "All attempts",
    unit: "Unit code (with its sub-units)",
    from: "Submitted from",
    to: "To",
    show: "Show statistics",
    first_only_note: "By default only first attempts count: on later ones learners have seen the questions, which then look easier than they are.",
    unknown_unit: |code| format!("There is no unit with code “{code}”."),
    bad_date: |text| format!("“{text}” is not a date (year-month-day, e.g. 2026-03-31)."),
    no_attempts: "No submitted attempt matches this choice yet.",
    quiz_caption: "The quiz as a whole (scores in percent)",
    attempts_counted: "Attempts counted",
    mean: "Mean score",
    median: "Median",
    sd: "Standard deviation",
    alpha: "Internal consistency (Cronbach's α)",
    error_ratio: "Error ratio",
    standard_error: "Standard error",
    questions_caption: "Each question, in the file's order",
    question: "Question",
    asked: "Times asked",
    facility: "Facility (%)",
    question_sd: "Standard deviation (%)",
    discrimination: "Discrimination index",
    efficiency: "Discriminative efficiency (%)",
    flags: "Review",
    too_easy: "Too easy",
    too_hard: "Too hard",
    low_discrimination: "Poor discrimination",
    wrong_key: |option| format!("Possibly wrong key: option “{option}”"),
    fix_at: "Fix at",
    options: "Options",
    picked: Plural::new("pick", "picks"),
    right: "(right answer)",
    answer_true: "True",
    answer_false: "False",
    removed: "(No longer in the quiz file)",
    undefined: "undefined",
    kinds: &[
        ("single", "Single choice"),
        ("multiple", "Multiple choice"),
        ("true_false", "True/false"),
        ("short", "Short answer"),
        ("numerical", "Numerical"),
        ("matching", "Matching"),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_we_speak() {
        assert_eq!(from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(from_accept_language("en-US,en;q=0.9,vi;q=0.8"), Some(Lang::Vi), "Vietnamese first");
        assert_eq!(from_accept_language("fr-FR,vi;q=0.5,en;q=0.4"), Some(Lang::Vi));
        assert_eq!(from_accept_language("vi-VN"), Some(Lang::Vi));
        assert_eq!(from_accept_language("fr, de;q=0.5"), None);
        assert_eq!(from_accept_language("en;q=0, vi;q=0.1"), Some(Lang::Vi));
    }

    #[test]
    fn english_counts_one_apart_from_the_rest_and_vietnamese_has_one_form() {
        let counted = [
            (EN.search_results.of(1usize), "1 result"),
            (EN.search_results.of(2usize), "2 results"),
            (EN.search_results.of(0usize), "0 results"),
            (EN.hours.of(1u32), "1 hour"),
            (EN.hours.of(6u32), "6 hours"),
            (EN.lessons.of(1usize), "1 lesson"),
            (EN.learners_enrolled.of(1usize), "1 learner enrolled"),
            (EN.attempts_made.of(3i64), "3 attempts"),
            (VI.search_results.of(1usize), "1 kết quả"),
            (VI.search_results.of(2usize), "2 kết quả"),
            (VI.hours.of(1u32), "1 giờ"),
            (VI.lessons.of(3usize), "3 bài học"),
        ];
        for (said, expected) in counted {
            assert_eq!(said, expected);
        }
    }

    #[test]
    fn the_lockout_message_names_its_numbers() {
        assert_eq!(
            (EN.login_failed)(1, 1),
            "Wrong username or password. After 1 failure in a row the account is locked for 1 minute."
        );
        assert_eq!(
            (EN.login_failed)(5, 15),
            "Wrong username or password. After 5 failures in a row the account is locked for 15 minutes."
        );
        assert!((VI.login_failed)(3, 30).contains("Sau 3 lần sai liên tiếp, tài khoản bị tạm khoá 30 phút."));
    }

    #[test]
    fn audience_tags_read_as_words_and_unknown_ones_as_written() {
        assert_eq!(audience(Lang::Vi, "it-staff"), "cán bộ chuyên trách CNTT");
        assert_eq!(audience(Lang::En, "all-staff"), "all staff");
        assert_eq!(audience(Lang::En, "trainers"), "trainers");
    }
}
