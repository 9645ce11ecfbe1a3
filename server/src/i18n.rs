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
    let label = match (lang, tag) {
        (Lang::Vi, "all-staff") => "mọi cán bộ, công chức",
        (Lang::Vi, "it-staff") => "cán bộ chuyên trách CNTT",
        (Lang::Vi, "one-stop-shop") => "cán bộ bộ phận một cửa",
        (Lang::En, "all-staff") => "all staff",
        (Lang::En, "it-staff") => "IT staff",
        (Lang::En, "one-stop-shop") => "one-stop-shop officers",
        _ => tag,
    };
    label.to_string()
}

/// Every string of the interface, in one language.
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
    pub lessons: &'static str,
    pub hours: &'static str,
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
    pub login_failed: &'static str,
    pub login_throttled: &'static str,
    pub logout: &'static str,
    pub my_courses: &'static str,
    pub my_courses_empty: &'static str,
    pub continue_learning: &'static str,
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
    pub learners_enrolled: &'static str,
    pub no_learners: &'static str,
    pub full_name: &'static str,
    pub unit: &'static str,
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
    pub search_results: &'static str,
    pub search_course_hit: &'static str,
    pub search_pages: &'static str,
    pub search_previous: &'static str,
    pub search_next: &'static str,
    pub search_truncated: &'static str,
    pub search_unclosed_quote: &'static str,
    pub search_operators: &'static str,
    pub search_preparing: &'static str,
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
    lessons: "bài học",
    hours: "giờ",
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
    login_failed: "Tên đăng nhập hoặc mật khẩu không đúng. Sau {failures} lần sai liên tiếp, tài khoản bị tạm khoá {minutes} phút.",
    login_throttled: "Có quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau ít phút.",
    logout: "Đăng xuất",
    my_courses: "Khoá học của tôi",
    my_courses_empty: "Bạn chưa ghi danh khoá học nào. Hãy chọn một khoá trong danh mục.",
    continue_learning: "Học tiếp",
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
    learners_enrolled: "học viên đã ghi danh",
    no_learners: "Chưa có học viên nào ghi danh.",
    full_name: "Họ và tên",
    unit: "Đơn vị",
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
    search_results: "kết quả",
    search_course_hit: "Khoá học",
    search_pages: "Các trang kết quả",
    search_previous: "Trang trước",
    search_next: "Trang sau",
    search_truncated: "Câu tìm kiếm quá dài nên chỉ phần đầu được dùng.",
    search_unclosed_quote: "Thiếu dấu ngoặc kép đóng: phần sau dấu ngoặc được tìm như một cụm từ.",
    search_operators: "Không cần AND, OR, NOT: kết quả luôn chứa mọi từ bạn gõ.",
    search_preparing: "Chức năng tìm kiếm đang được chuẩn bị sau khi máy chủ khởi động. Vui lòng thử lại sau vài giây.",
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
    lessons: "lessons",
    hours: "hours",
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
    login_failed: "Wrong username or password. After {failures} failures in a row the account is locked for {minutes} minutes.",
    login_throttled: "Too many failed logins from this address. Please try again in a few minutes.",
    logout: "Log out",
    my_courses: "My courses",
    my_courses_empty: "You are not enrolled in any course yet. Pick one from the catalog.",
    continue_learning: "Continue",
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
    learners_enrolled: "learners enrolled",
    no_learners: "No learner is enrolled yet.",
    full_name: "Full name",
    unit: "Unit",
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
    search_results: "results",
    search_course_hit: "Course",
    search_pages: "Result pages",
    search_previous: "Previous page",
    search_next: "Next page",
    search_truncated: "The search was too long: only its beginning was used.",
    search_unclosed_quote: "A closing double quote is missing: the words after the quote were searched as a phrase.",
    search_operators: "AND, OR and NOT are not needed: results always contain every word you type.",
    search_preparing: "Search is being prepared after the server started. Please try again in a few seconds.",
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
}
