//! The five programmes the benchmark applies, over the bundled courses: what a province's
//! `courses/programmes.toml` would hold (everyone, by position words, by unit, one of two courses).

use daotao_core::entities::user::Role;
use daotao_core::learning::programmes::Rule;

/// The programmes, as `Rule::from` would build them from `programmes.toml`.
pub fn rules() -> Vec<Rule> {
    let rule =
        |id: &str, title: &str, courses: &[&str], positions: &[&str], units: &[&str], due, valid| Rule {
            id: id.into(),
            title: title.into(),
            courses: courses.iter().map(|c| c.to_string()).collect(),
            positions: positions.iter().map(|p| p.to_string()).collect(),
            units: units.iter().map(|u| u.to_string()).collect(),
            roles: vec![Role::Learner, Role::Trainer],
            due_days: due,
            valid_months: valid,
            renew_days: 30,
        };
    // Every other department (SO-00, SO-02, ...) with its offices.
    let departments: Vec<String> = (0..40).step_by(2).map(|i| format!("SO-{i:02}")).collect();
    let departments: Vec<&str> = departments.iter().map(String::as_str).collect();
    vec![
        rule("attt-hang-nam", "An toàn thông tin hằng năm", &["an-toan-thong-tin-co-ban"], &[], &[], 60, 12),
        rule(
            "chinh-quyen-so",
            "Chính quyền số cho công chức",
            &["chinh-quyen-so"],
            &["Chuyên viên", "Trưởng phòng", "Phó Giám đốc"],
            &[],
            90,
            24,
        ),
        rule(
            "attt-cntt",
            "An toàn thông tin cho cán bộ CNTT",
            &["an-toan-thong-tin-cntt"],
            &["CNTT"],
            &[],
            60,
            12,
        ),
        rule(
            "dvc-mot-cua",
            "Dịch vụ công trực tuyến cho bộ phận một cửa",
            &["dich-vu-cong-truc-tuyen"],
            &["một cửa"],
            &[],
            30,
            0,
        ),
        rule(
            "ky-nang-so-so-nganh",
            "Kỹ năng số và bảo vệ dữ liệu cho các sở",
            &["ky-nang-so-van-phong", "bao-ve-du-lieu-ca-nhan"],
            &[],
            &departments,
            120,
            36,
        ),
    ]
}
