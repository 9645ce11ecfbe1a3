//! The course loader and validator against small libraries written to a
//! temporary folder: a good one, the bundled one, and each kind of broken file; and the programmes
//! (`programmes.toml`) checked against the courses loaded.

use std::path::{Path, PathBuf};

use daotao_content::course::{QuizFormat, load_library};

const COMPETENCIES: &str = "[[competency]]\ncode = \"ATTT.1\"\nname = \"An toàn\"\narea = \"An toàn\"\nlevels = [\"Cơ bản\", \"Thành thạo\"]\n";
const COURSE: &str = "title = \"Khoá thử\"\nsummary = \"Tóm tắt\"\naudience = [\"all-staff\"]\nhours = 2\nself_enrol = true\ncompetencies = [ { code = \"ATTT.1\", level = 1 } ]\n[completion]\nlessons = \"all\"\nquiz = \"cuoi-khoa\"\n";
const LESSON: &str =
    "+++\ntitle = \"Bài một\"\nminutes = 5\n+++\n\n## Phần một\n\nNội dung ![sơ đồ](assets/so-do.svg)\n";
const QUIZ: &str =
    "+++\ntitle = \"Kiểm tra\"\npass_percent = 70\n+++\n\n## Câu hỏi?\n\n- [x] Đúng\n- [ ] Sai\n";

/// Writes `files` (path, content) under a fresh folder.
fn library(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// A good course `khoa` plus `extra` files (which may overwrite its files).
fn good_with(extra: &[(&str, &[u8])]) -> tempfile::TempDir {
    let mut files: Vec<(&str, &[u8])> = vec![
        ("competencies.toml", COMPETENCIES.as_bytes()),
        ("khoa/course.toml", COURSE.as_bytes()),
        ("khoa/01-bai-mot.md", LESSON.as_bytes()),
        ("khoa/02-bai-hai.md", b"# B\xc3\xa0i hai\n\nVi\xe1\xbb\x87c c\xe1\xba\xa7n l\xc3\xa0m.\n"),
        ("khoa/assets/so-do.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
        ("khoa/quiz/cuoi-khoa.md", QUIZ.as_bytes()),
    ];
    for (path, content) in extra {
        files.retain(|(p, _)| p != path);
        files.push((path, content));
    }
    library(&files)
}

/// The problems of a library, as `check` prints them but with paths relative to the library.
fn problems(dir: &Path) -> Vec<String> {
    load_library(dir)
        .problems
        .iter()
        .map(|p| p.to_string().replace(&format!("{}/", dir.display()), ""))
        .collect()
}

fn assert_one_problem(extra: &[(&str, &[u8])], expected: &str) {
    let dir = good_with(extra);
    let found = problems(dir.path());
    assert!(
        found.iter().any(|p| p.contains(expected)),
        "expected a problem containing {expected:?}, got {found:#?}"
    );
    // A broken course is left out entirely.
    assert!(!load_library(dir.path()).courses.contains_key("khoa"));
}

#[test]
fn a_good_course_loads_with_every_part() {
    let dir2 = good_with(&[
        ("khoa/quiz/ngan-hang.gift", "::Q1:: Thủ đô? {=Hà Nội ~Huế}".as_bytes()),
        ("khoa/quiz/ngan-hang.toml", "title = \"Ngân hàng câu hỏi\"\nattempts = 2\n".as_bytes()),
        ("khoa/README.md", "Ghi chú cho giảng viên, không phải bài học.".as_bytes()),
    ]);
    let library = load_library(dir2.path());
    assert_eq!(library.problems, vec![], "{:#?}", library.problems);
    assert_eq!(library.competencies.len(), 1);
    let course = &library.courses["khoa"];
    assert_eq!(course.meta.title, "Khoá thử");
    assert_eq!(course.meta.hours, 2);
    assert!(course.meta.self_enrol);
    let ids: Vec<&str> = course.lessons.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["bai-mot", "bai-hai"]);
    let first = &course.lessons[0];
    assert_eq!((first.title.as_str(), first.minutes, first.title_in_body), ("Bài một", Some(5), false));
    assert!(first.html.contains("id=\"phan-mot\""), "{}", first.html);
    assert!(first.html.contains("src=\"assets/so-do.svg\""), "{}", first.html);
    let second = &course.lessons[1];
    assert_eq!((second.title.as_str(), second.title_in_body), ("Bài hai", true));
    assert_eq!(course.assets.iter().collect::<Vec<_>>(), ["so-do.svg"]);
    let quizzes: Vec<(&str, &str, QuizFormat)> =
        course.quizzes.iter().map(|q| (q.id.as_str(), q.title.as_str(), q.format)).collect();
    assert_eq!(
        quizzes,
        [
            ("cuoi-khoa", "Kiểm tra", QuizFormat::Markdown),
            ("ngan-hang", "Ngân hàng câu hỏi", QuizFormat::Gift)
        ]
    );
    assert_eq!(course.quizzes[0].settings.pass_percent, 70);
    assert_eq!(course.quizzes[0].settings.attempts, 0, "defaults from DESIGN.md");
    assert_eq!(course.quizzes[1].settings.attempts, 2);
    assert_eq!(course.quizzes[1].settings.pass_percent, 80);
    assert_eq!(course.content_hash.len(), 64);
}

#[test]
fn content_hash_changes_with_any_file() {
    let a = good_with(&[]);
    let b = good_with(&[("khoa/assets/so-do.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g/></svg>")]);
    let hash = |d: &Path| load_library(d).courses["khoa"].content_hash.clone();
    assert_ne!(hash(a.path()), hash(b.path()));
    assert_eq!(hash(a.path()), hash(good_with(&[]).path()));
}

#[test]
fn nfd_lessons_are_stored_as_nfc() {
    let nfd = "+++\ntitle = \"Chi\u{301}nh quye\u{302}\u{300}n so\u{302}\u{301}\"\n+++\n\nCa\u{301}n bo\u{302}\u{323}\n";
    let dir = good_with(&[("khoa/02-bai-hai.md", nfd.as_bytes())]);
    let library = load_library(dir.path());
    let lesson = &library.courses["khoa"].lessons[1];
    assert_eq!(lesson.title, "Chính quyền số");
    assert!(lesson.html.contains("Cán bộ"));
}

#[test]
fn the_bundled_library_has_no_problems() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../courses");
    let library = load_library(&root);
    let problems: Vec<String> = library.problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems, Vec::<String>::new());
    assert!(!library.courses.is_empty());
    for course in library.courses.values() {
        assert!(course.lessons.len() >= 4, "{} has {} lessons", course.id, course.lessons.len());
    }
    // No bundled bank cues its answers by length, nor leaves anything out (#20).
    let warnings: Vec<String> = library
        .courses
        .values()
        .flat_map(|c| &c.quizzes)
        .flat_map(|q| &q.warnings)
        .map(ToString::to_string)
        .collect();
    assert_eq!(warnings, Vec::<String>::new());
    // Every competency says where it sits in the national framework (757/QĐ-BKHCN) and in DigComp 3.0 (#20).
    assert_eq!(library.competencies.len(), 10);
    for competency in &library.competencies {
        let frameworks: Vec<&str> = competency.maps_to.iter().map(|l| l.framework.as_str()).collect();
        assert_eq!(frameworks, ["757-bkhcn", "digcomp-3"], "{}", competency.code);
        assert!(!competency.maps_to[1].area_names.is_empty(), "{}", competency.code);
    }
    // A footnote that several lessons repeat word for word lives in references.md (#20), and lessons cite it.
    let mut written: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for course in library.courses.values() {
        for lesson in &course.lessons {
            for line in std::fs::read_to_string(&lesson.file).unwrap().lines() {
                if let Some((_, text)) = line.strip_prefix("[^").and_then(|l| l.split_once("]: ")) {
                    written.entry(text.to_string()).or_default().push(lesson.file.display().to_string());
                }
            }
        }
    }
    written.retain(|_, files| files.len() > 1);
    assert_eq!(written, Default::default(), "move these footnotes to courses/references.md");
    let (_, one_stop) =
        library.courses["dich-vu-cong-truc-tuyen"].lesson("cong-dich-vu-cong-va-trung-tam").unwrap();
    assert!(
        one_stop.html.contains("Nghị định số 118/2025/NĐ-CP của Chính phủ về thực hiện thủ tục hành chính")
    );
    let programmes: Vec<&str> = library.programmes.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        programmes,
        [
            "attt-hang-nam",
            "attt-can-bo-cntt",
            "dvc-trung-tam-phuc-vu-hcc",
            "tri-tue-nhan-tao-moi-can-bo",
            "ky-so-nguoi-ky-va-van-thu",
            "du-lieu-can-bo-cntt"
        ]
    );
    let signers = library.programme("ky-so-nguoi-ky-va-van-thu").unwrap();
    for position in ["Chủ tịch UBND xã", "Phó Giám đốc Trung tâm", "Phó Chánh Văn phòng", "Văn thư"]
    {
        assert!(signers.matches_position(position), "{position}");
    }
    assert!(!signers.matches_position("Chuyên viên"));
    let it = &library.programmes[1];
    assert!(it.matches_position("Chuyên viên công nghệ thông tin"));
    assert!(!it.matches_position("Kỹ sư an toàn thông tin"));
}

/// Every value of `attribute="..."` in `svg`, in order.
fn attribute_values<'a>(svg: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    svg.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &svg[at + needle.len()..];
            &rest[..rest.find('"').unwrap_or(rest.len())]
        })
        .collect()
}

/// The bundled diagrams (#20) fit a lesson column and stay readable on a phone, where the page shows them at
/// their drawn size and scrolls them sideways: at most 760 units wide, no text under 14 px, ids unique within
/// the file (several diagrams share a page), and each an image with its title and description.
#[test]
fn bundled_diagrams_fit_a_lesson_column_with_readable_text() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../courses");
    let mut diagrams = 0;
    for course in std::fs::read_dir(&root).unwrap() {
        let assets = course.unwrap().path().join("assets");
        let Ok(files) = std::fs::read_dir(&assets) else { continue };
        for file in files {
            let path = file.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("svg") {
                continue;
            }
            diagrams += 1;
            let svg = std::fs::read_to_string(&path).unwrap();
            let name = path.display();
            let root_tag = &svg[svg.find("<svg").unwrap()..];
            let root_tag = &root_tag[..root_tag.find('>').unwrap()];
            assert!(root_tag.contains(" role=\"img\""), "{name}: role=\"img\"");
            assert!(svg.contains("<title") && svg.contains("<desc"), "{name}: a title and a description");
            let view_box = attribute_values(root_tag, "viewBox");
            let width: f64 = view_box[0].split_whitespace().nth(2).unwrap().parse().unwrap();
            assert!(width <= 760.0, "{name}: {width} units wide, more than a lesson column's 760");
            let mut sizes: Vec<&str> = attribute_values(&svg, "font-size");
            sizes.extend(svg.split("font-size:").skip(1).map(|s| s[..s.find([';', '"']).unwrap()].trim()));
            for size in sizes {
                let px: f64 =
                    size.trim_end_matches("px").parse().unwrap_or_else(|_| panic!("{name}: {size}"));
                assert!(px >= 14.0, "{name}: text of {px} px, under 14");
            }
            let mut ids = attribute_values(&svg, "id");
            let count = ids.len();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), count, "{name}: an id used twice");
        }
    }
    assert!(diagrams >= 10, "{diagrams} diagrams found under {}", root.display());
}

#[test]
fn course_toml_syntax_error_has_its_line() {
    assert_one_problem(&[("khoa/course.toml", b"title = \"A\"\nhours = \n")], "khoa/course.toml:2:");
}

#[test]
fn course_toml_unknown_key_has_its_line() {
    assert_one_problem(
        &[("khoa/course.toml", b"title = \"A\"\n\nself_enroll = true\n")],
        "khoa/course.toml:3: unknown field `self_enroll`",
    );
}

#[test]
fn course_toml_wrong_type_has_its_line() {
    assert_one_problem(&[("khoa/course.toml", b"title = \"A\"\nhours = \"six\"\n")], "khoa/course.toml:2:");
}

#[test]
fn missing_course_toml() {
    let dir = library(&[("khoa/01-a.md", b"# A\n")]);
    assert_eq!(
        problems(dir.path()),
        ["khoa: no course.toml: every course folder needs one (see docs/authoring.md)"]
    );
}

#[test]
fn invalid_course_folder_name() {
    let dir = library(&[("Khoa Hoc/course.toml", b"title = \"A\"\n"), ("Khoa Hoc/01-a.md", b"# A\n")]);
    let found = problems(dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with("Khoa Hoc: `Khoa Hoc` is not a valid course id"), "{found:#?}");
}

#[test]
fn lesson_without_order_prefix() {
    assert_one_problem(
        &[("khoa/gioi-thieu.md", b"# A\n")],
        "khoa/gioi-thieu.md: a lesson file name starts with its order number",
    );
}

#[test]
fn invalid_lesson_id() {
    assert_one_problem(
        &[("khoa/03-Bai_Ba.md", b"# A\n")],
        "khoa/03-Bai_Ba.md: `Bai_Ba` is not a valid lesson id",
    );
}

#[test]
fn duplicate_lesson_id() {
    assert_one_problem(
        &[("khoa/03-bai-mot.md", b"# A\n")],
        "khoa/03-bai-mot.md: duplicate lesson id `bai-mot`",
    );
}

#[test]
fn unclosed_front_matter() {
    assert_one_problem(
        &[("khoa/02-bai-hai.md", b"+++\ntitle = \"A\"\n\n# A\n")],
        "khoa/02-bai-hai.md:1: front matter opened with +++ is never closed",
    );
}

#[test]
fn front_matter_error_has_the_file_line() {
    assert_one_problem(
        &[("khoa/02-bai-hai.md", b"+++\ntitle = \"A\"\ntittle = \"B\"\n+++\n\nX\n")],
        "khoa/02-bai-hai.md:3: unknown field `tittle`",
    );
}

#[test]
fn lesson_without_title() {
    assert_one_problem(
        &[("khoa/02-bai-hai.md", b"Ch\xe1\xbb\x89 c\xc3\xb3 n\xe1\xbb\x99i dung.\n")],
        "khoa/02-bai-hai.md:1: the lesson has no title",
    );
}

#[test]
fn missing_asset_has_the_line_of_the_link() {
    assert_one_problem(
        &[("khoa/02-bai-hai.md", b"+++\ntitle = \"A\"\n+++\n\nD\xc3\xb2ng 5\n\n![x](assets/khong-co.png)\n")],
        "khoa/02-bai-hai.md:7: links to assets/khong-co.png, which does not exist",
    );
}

#[test]
fn asset_link_cannot_climb_out() {
    assert_one_problem(
        &[("khoa/02-bai-hai.md", b"# A\n\n[x](assets/../course.toml)\n")],
        "khoa/02-bai-hai.md:3: links to assets/",
    );
}

#[test]
fn completion_quiz_must_exist() {
    let course = COURSE.replace("quiz = \"cuoi-khoa\"", "quiz = \"cuoi-ky\"");
    assert_one_problem(
        &[("khoa/course.toml", course.as_bytes())],
        "khoa/course.toml:9: completion.quiz names `cuoi-ky`, but there is no quiz/cuoi-ky.md or quiz/cuoi-ky.gift",
    );
}

#[test]
fn unknown_competency_and_level() {
    let course = COURSE.replace("code = \"ATTT.1\", level = 1", "code = \"ATTT.9\", level = 1");
    assert_one_problem(
        &[("khoa/course.toml", course.as_bytes())],
        "khoa/course.toml:6: unknown competency `ATTT.9`",
    );
    let course = COURSE.replace("level = 1", "level = 3");
    assert_one_problem(
        &[("khoa/course.toml", course.as_bytes())],
        "khoa/course.toml:6: competency `ATTT.1` has levels 1 to 2, not 3",
    );
}

#[test]
fn completion_lessons_must_be_all() {
    let course = COURSE.replace("lessons = \"all\"", "lessons = \"some\"");
    assert_one_problem(
        &[("khoa/course.toml", course.as_bytes())],
        "khoa/course.toml:8: completion.lessons must be \"all\"",
    );
}

#[test]
fn quiz_settings_are_checked() {
    assert_one_problem(
        &[("khoa/quiz/cuoi-khoa.md", b"+++\ntitle = \"K\"\npass_percent = 120\n+++\n\n## H?\n\n= a\n")],
        "khoa/quiz/cuoi-khoa.md:2: pass_percent is 120",
    );
    assert_one_problem(
        &[("khoa/quiz/cuoi-khoa.md", b"+++\ntitle = \"K\"\nshufle = true\n+++\n\n## H?\n\n= a\n")],
        "khoa/quiz/cuoi-khoa.md:3: unknown field `shufle`",
    );
    assert_one_problem(
        &[("khoa/quiz/le.toml", b"title = \"K\"\n")],
        "khoa/quiz/le.toml: settings file without a quiz",
    );
    assert_one_problem(
        &[("khoa/quiz/bang.xlsx", b"PK")],
        "khoa/quiz/bang.xlsx: a quiz file is quiz/<id>.md or quiz/<id>.gift",
    );
    assert_one_problem(
        &[("khoa/quiz/cuoi-khoa.gift", "Trời xanh?{T}".as_bytes())],
        "khoa/quiz/cuoi-khoa.md: duplicate quiz id `cuoi-khoa`",
    );
}

#[test]
fn quiz_questions_are_checked_with_their_lines() {
    assert_one_problem(
        &[(
            "khoa/quiz/cuoi-khoa.md",
            "+++\ntitle = \"K\"\n+++\n\n## Câu không có đáp án đúng\n\n- [ ] A\n- [ ] B\n".as_bytes(),
        )],
        "khoa/quiz/cuoi-khoa.md:5: no option is marked right",
    );
    assert_one_problem(
        &[("khoa/quiz/tu-luan.gift", "// bài luận\n::Luận::Hãy trình bày quan điểm.{}\n".as_bytes())],
        "khoa/quiz/tu-luan.gift:1: the quiz has no questions",
    );
    assert_one_problem(
        &[("khoa/quiz/cuoi-khoa.md", "+++\ndraw = 5\n+++\n\n## Hỏi?\n\n= đáp\n".as_bytes())],
        "khoa/quiz/cuoi-khoa.md:2: draw = 5 but the quiz has only 1 questions",
    );
}

#[test]
fn an_essay_in_a_gift_bank_is_a_warning_and_the_rest_is_served() {
    let dir = good_with(&[(
        "khoa/quiz/on-tap.gift",
        "Trời xanh?{T}\n\n// bài luận\n::Luận::Hãy trình bày quan điểm.{}\n\nMây trắng?{T}\n".as_bytes(),
    )]);
    let library = load_library(dir.path());
    assert!(library.problems.is_empty(), "{:?}", library.problems);
    let quiz = library.courses["khoa"].quizzes.iter().find(|q| q.id == "on-tap").unwrap();
    assert_eq!(quiz.questions.len(), 2);
    let warnings: Vec<String> = quiz
        .warnings
        .iter()
        .map(|w| w.to_string().replace(&format!("{}/", dir.path().display()), ""))
        .collect();
    assert_eq!(
        warnings,
        [
            "khoa/quiz/on-tap.gift:4: an essay question cannot be graded: it is left out, the other questions are served"
        ]
    );
}

#[test]
fn a_bank_whose_right_option_is_most_often_the_longest_is_a_warning() {
    // Three single-choice questions, the right option the longest in two (67%); the true/false one is not counted.
    let cued = "+++\ntitle = \"K\"\n+++\n\n## Một?\n\n- [x] Phương án đúng dài hơn\n- [ ] Sai\n\n## Hai?\n\n- [x] Cũng đúng và dài hơn\n- [ ] Sai\n\n## Ba?\n\n- [x] Đúng\n- [ ] Sai nhưng dài hơn hẳn\n\n## Bốn?\n\n- [x] Đúng\n- [ ] Sai\n";
    let dir = good_with(&[("khoa/quiz/on-tap.md", cued.as_bytes())]);
    let library = load_library(dir.path());
    assert!(library.problems.is_empty(), "a warning, not an error: {:?}", library.problems);
    let quiz = library.courses["khoa"].quizzes.iter().find(|q| q.id == "on-tap").unwrap();
    assert_eq!(quiz.questions.len(), 4, "the quiz is served whole");
    let warnings: Vec<String> = quiz
        .warnings
        .iter()
        .map(|w| w.to_string().replace(&format!("{}/", dir.path().display()), ""))
        .collect();
    assert_eq!(
        warnings,
        [
            "khoa/quiz/on-tap.md: the right option is the longest in 2 of 3 single-choice questions (66%, more than 40%): a learner who always picks the longest option passes; make the wrong options as long and specific as the right one"
        ]
    );
    // Two more questions whose right option is not the longest bring it to 2 of 5: 40%, not more than 40%.
    let fair = "\n## Năm?\n\n- [x] Đúng\n- [ ] Sai nhưng dài hơn hẳn\n\n## Sáu?\n\n- [ ] Sai nhưng dài hơn hẳn\n- [x] Đúng\n";
    let dir = good_with(&[("khoa/quiz/on-tap.md", format!("{cued}{fair}").as_bytes())]);
    let library = load_library(dir.path());
    let quiz = library.courses["khoa"].quizzes.iter().find(|q| q.id == "on-tap").unwrap();
    assert!(quiz.warnings.is_empty(), "2 of 5 is 40%, not more: {:?}", quiz.warnings);
}

#[test]
fn draw_per_group_problems_have_their_lines() {
    let quiz = "+++\ntitle = \"K\"\ndraw = 3\n[draw_per_group]\n\"Bài 1\" = 1\n\"Bài 9\" = 1\n+++\n\n# Bài 1\n\n## A?\n\n= a\n\n## B?\n\n= b\n\n# Bài 2\n\n## C?\n\n= c\n";
    let dir = good_with(&[("khoa/quiz/cuoi-khoa.md", quiz.as_bytes())]);
    let found = problems(dir.path());
    assert_eq!(
        found,
        [
            "khoa/quiz/cuoi-khoa.md:6: draw_per_group names the group `Bài 9`, which has no questions (the groups: `Bài 1`, `Bài 2`)",
            "khoa/quiz/cuoi-khoa.md:4: the group `Bài 2` (line 21) has no count in draw_per_group: add `\"Bài 2\" = 1`, or `= 0` to leave it out on purpose",
            "khoa/course.toml:9: completion.quiz names `cuoi-khoa`, but there is no quiz/cuoi-khoa.md or quiz/cuoi-khoa.gift",
        ],
        "{found:#?}"
    );
    let dir = good_with(&[
        (
            "khoa/quiz/on-tap.gift",
            "$CATEGORY: $course$/top/Bài 1\n\nA?{T}\n\nB?{F}\n\n$CATEGORY: $course$/top/Bài 2\n\nC?{T}\n"
                .as_bytes(),
        ),
        ("khoa/quiz/on-tap.toml", "title = \"Ôn\"\ndraw = 1\ndraw_per_group = 1\n".as_bytes()),
    ]);
    assert_eq!(
        problems(dir.path()),
        [
            "khoa/quiz/on-tap.toml:2: draw = 1 but draw_per_group asks 2 questions: make draw at least 2 (the rest comes from any group), or leave it out"
        ]
    );
    let dir = good_with(&[
        (
            "khoa/quiz/on-tap.gift",
            "$CATEGORY: Bài 1\n\nA?{T}\n\nB?{F}\n\n$CATEGORY: Bài 2\n\nC?{T}\n".as_bytes(),
        ),
        ("khoa/quiz/on-tap.toml", "draw_per_group = 1\n".as_bytes()),
    ]);
    let library = load_library(dir.path());
    assert!(library.problems.is_empty(), "{:?}", library.problems);
    let quiz = library.courses["khoa"].quizzes.iter().find(|q| q.id == "on-tap").unwrap();
    assert_eq!(daotao_content::quiz::draw::count(&quiz.questions, &quiz.settings), 2);
}

#[test]
fn broken_settings_do_not_hide_the_questions_problems() {
    let dir = good_with(&[
        (
            "khoa/quiz/cuoi-khoa.md",
            "+++\npass_percent = 120\n+++\n\n## Không đáp án\n\n- [ ] A\n- [ ] B\n".as_bytes(),
        ),
        ("khoa/quiz/on-tap.gift", "Trời xanh?{~có ~không}\n".as_bytes()),
        ("khoa/quiz/on-tap.toml", "draw = \"năm\"\n".as_bytes()),
    ]);
    let found = problems(dir.path());
    for expected in [
        "khoa/quiz/cuoi-khoa.md:2: pass_percent is 120",
        "khoa/quiz/cuoi-khoa.md:5: no option is marked right",
        "khoa/quiz/on-tap.toml:1:",
        "khoa/quiz/on-tap.gift:1: no option is marked right",
    ] {
        assert!(found.iter().any(|p| p.starts_with(expected)), "{expected} in {found:#?}");
    }
}

#[test]
fn non_utf8_and_oversized_files() {
    assert_one_problem(
        &[("khoa/02-bai-hai.md", b"# A\n\nline two\n\xff\xfe\n")],
        "khoa/02-bai-hai.md:4: the file is not UTF-8 text",
    );
    let big = vec![b'a'; 1024 * 1024 + 1];
    assert_one_problem(
        &[("khoa/02-bai-hai.md", &big)],
        "khoa/02-bai-hai.md: the file is 1024 KiB; the limit is 1024 KiB",
    );
}

#[test]
fn a_course_without_lessons() {
    let dir = library(&[("trong/course.toml", b"title = \"A\"\n")]);
    assert_eq!(
        problems(dir.path()),
        ["trong: the course has no lessons: add a file such as 01-gioi-thieu.md"]
    );
}

#[test]
fn every_problem_is_reported_and_other_courses_still_load() {
    let dir = good_with(&[
        ("hong/course.toml", b"title = \"A\"\nbogus = 1\n"),
        ("hong/01-a.md", b"+++\nminutes = \"x\"\n+++\n"),
        ("hong/02-b.md", b"# B\n\n![](assets/none.png)\n"),
    ]);
    let library = load_library(dir.path());
    assert!(library.courses.contains_key("khoa"), "the good course is still served");
    assert!(!library.courses.contains_key("hong"));
    let found = problems(dir.path());
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with("hong/course.toml:2:"), "{found:#?}");
    assert!(found[1].starts_with("hong/01-a.md:2:"), "{found:#?}");
    assert!(found[2].starts_with("hong/02-b.md:3:"), "{found:#?}");
}

#[test]
fn broken_competencies_file_is_reported() {
    let dir = good_with(&[("competencies.toml", b"[[competency]]\ncode = \"A\"\n")]);
    let found = problems(dir.path());
    assert!(found.iter().any(|p| p.starts_with("competencies.toml:")), "{found:#?}");
}

#[test]
fn reserved_lesson_ids_are_refused() {
    assert_one_problem(&[("khoa/03-learners.md", b"# A\n")], "khoa/03-learners.md: `learners` is reserved");
}

const PROGRAMMES: &str = "[[programme]]\nid = \"hang-nam\"\ntitle = \"Hằng năm\"\ncourses = [\"khoa\"]\nvalid_months = 12\nrenew_days = 30\n\n[[programme]]\nid = \"thieu\"\ntitle = \"Thiếu khóa\"\ncourses = [\n  \"khoa\",\n  \"khong-co\",\n]\n";

#[test]
fn programmes_load_with_the_library() {
    let dir = good_with(&[("programmes.toml", PROGRAMMES.replace("\"khong-co\",", "").as_bytes())]);
    let library = load_library(dir.path());
    assert_eq!(library.problems, vec![], "{:#?}", library.problems);
    let ids: Vec<&str> = library.programmes.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["hang-nam", "thieu"]);
    assert!(!library.courses.contains_key("programmes.toml"), "the file is not a course");
    assert!(load_library(good_with(&[]).path()).programmes.is_empty(), "no file: no programmes, no problem");
}

#[test]
fn a_programme_naming_a_missing_course_is_left_out_and_the_others_kept() {
    let dir = good_with(&[("programmes.toml", PROGRAMMES.as_bytes())]);
    assert_eq!(
        problems(dir.path()),
        ["programmes.toml:13: programme `thieu` lists course `khong-co`, which does not exist"]
    );
    let library = load_library(dir.path());
    let ids: Vec<&str> = library.programmes.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["hang-nam"]);
    assert!(library.courses.contains_key("khoa"), "a programme's problem leaves the courses alone");
}

#[test]
fn a_programme_naming_a_broken_course_is_left_out() {
    let dir = good_with(&[
        ("programmes.toml", PROGRAMMES.as_bytes()),
        ("khoa/course.toml", b"title = \"A\"\nhours = \n"),
    ]);
    let found = problems(dir.path());
    assert_eq!(
        found[1..],
        [
            "programmes.toml:4: programme `hang-nam` lists course `khoa`, which has problems and is left out",
            "programmes.toml:12: programme `thieu` lists course `khoa`, which has problems and is left out",
            "programmes.toml:13: programme `thieu` lists course `khong-co`, which does not exist",
        ],
        "{found:#?}"
    );
    assert!(load_library(dir.path()).programmes.is_empty());
}

#[test]
fn programme_file_problems_come_with_the_library() {
    let dir = good_with(&[(
        "programmes.toml",
        b"[[programme]]\nid = \"p\"\ntitle = \"P\"\ncourses = [\"khoa\"]\nroles = [\"sep\"]\n",
    )]);
    assert_eq!(
        problems(dir.path()),
        ["programmes.toml:5: programme `p`: unknown role `sep` (allowed: learner, trainer, admin)"]
    );
}

const FEEDBACK: &str = "comment = \"Góp ý?\"\n[[item]]\nid = \"phu-hop\"\ntext = \"Phù hợp.\"\n";

#[test]
fn a_course_asks_the_library_questionnaire_unless_it_has_its_own() {
    let own = "comment = \"Góp ý riêng?\"\n[[item]]\nid = \"rieng\"\ntext = \"Riêng.\"\n";
    let dir = good_with(&[
        ("feedback.toml", FEEDBACK.as_bytes()),
        ("khac/course.toml", b"title = \"Khac\"\n"),
        ("khac/01-a.md", b"# A\n"),
        ("khac/feedback.toml", own.as_bytes()),
    ]);
    let library = load_library(dir.path());
    assert!(library.problems.is_empty(), "{:?}", library.problems);
    let khoa = library.questionnaire(&library.courses["khoa"]).unwrap();
    assert_eq!(khoa.items[0].id, "phu-hop");
    let khac = library.questionnaire(&library.courses["khac"]).unwrap();
    assert_eq!((khac.items[0].id.as_str(), khac.comment.as_str()), ("rieng", "Góp ý riêng?"));
}

#[test]
fn without_a_questionnaire_no_course_asks_for_feedback() {
    let dir = good_with(&[]);
    let library = load_library(dir.path());
    assert!(library.questionnaire(&library.courses["khoa"]).is_none());
}

#[test]
fn broken_questionnaires_are_reported_with_file_and_line() {
    let broken = "comment = \"Góp ý?\"\n[[item]]\nid = \"a\"\ntext = \"\"\n";
    let dir = good_with(&[("feedback.toml", broken.as_bytes()), ("khoa/feedback.toml", b"comment = 1\n")]);
    let library = load_library(dir.path());
    let problems: Vec<String> = library
        .problems
        .iter()
        .map(|p| format!("{}:{}", p.file.strip_prefix(dir.path()).unwrap().display(), p.line.unwrap_or(0)))
        .collect();
    assert_eq!(problems, ["khoa/feedback.toml:1", "feedback.toml:4"]);
    // A broken course file leaves the course out, as for any other course file; a broken library file asks nothing.
    assert!(!library.courses.contains_key("khoa"));
    assert!(library.feedback.is_none());
}

#[test]
fn lessons_cite_the_shared_footnotes_and_an_unknown_label_has_its_line() {
    let lesson =
        "+++\ntitle = \"Bài ba\"\n+++\n\nHồ sơ điện tử[^nd-45-2020] và[^rieng].\n\n[^rieng]: Của bài.\n";
    let references = "# Văn bản\n\n[^nd-45-2020]: Nghị định số 45/2020/NĐ-CP.\n";
    let dir =
        good_with(&[("khoa/03-bai-ba.md", lesson.as_bytes()), ("references.md", references.as_bytes())]);
    let library = load_library(dir.path());
    assert_eq!(library.problems, vec![], "{:#?}", library.problems);
    let course = &library.courses["khoa"];
    let (_, third) = course.lesson("bai-ba").unwrap();
    assert!(third.html.contains("<p>Nghị định số 45/2020/NĐ-CP."), "{}", third.html);
    assert!(third.text.contains("Nghị định số 45/2020/NĐ-CP."));
    // A course loaded alone (as hot reload does) reads the same list.
    let alone =
        daotao_content::course::load_course(&dir.path().join("khoa"), "khoa", &library.competencies).unwrap();
    assert_eq!(alone.lesson("bai-ba").unwrap().1.html, third.html);
    assert_eq!(alone.content_hash, course.content_hash);

    // Editing the shared text changes the lesson's and the course's hash, so the catalog sees it.
    std::fs::write(dir.path().join("references.md"), "[^nd-45-2020]: Nghị định 45/2020/NĐ-CP, sửa.\n")
        .unwrap();
    let edited = load_library(dir.path());
    assert_ne!(edited.courses["khoa"].content_hash, course.content_hash);
    assert_ne!(edited.courses["khoa"].lesson("bai-ba").unwrap().1.content_hash, third.content_hash);

    // Without the shared entry the label is unknown: an error at the line of the reference.
    std::fs::remove_file(dir.path().join("references.md")).unwrap();
    let found = problems(dir.path());
    assert_eq!(
        found,
        [
            "khoa/03-bai-ba.md:5: footnote [^nd-45-2020] is defined neither in this lesson nor in references.md: add \
          `[^nd-45-2020]: ...` at the end of the lesson or to courses/references.md, or correct the label"
        ]
    );
    assert!(!load_library(dir.path()).courses.contains_key("khoa"));
}

#[test]
fn shared_footnote_file_problems_come_with_the_library_with_their_lines() {
    let references = "[^a]: Một.\n\n[b]: https://vbpl.vn/\n\n[^A]: Hai.\n";
    let dir = good_with(&[("references.md", references.as_bytes())]);
    assert_eq!(
        problems(dir.path()),
        [
            "references.md:3: [b]: is a link definition; a shared footnote is written `[^b]: ...`",
            "references.md:5: [^A] is defined twice: the first is on line 1",
        ]
    );
    // The courses still load.
    assert!(load_library(dir.path()).courses.contains_key("khoa"));
}
