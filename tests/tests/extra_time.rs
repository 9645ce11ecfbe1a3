//! End-to-end: `daotao-admin users set-extra-time` (#19) on a real SQLite file, as an admin runs it: the
//! account's percentage, a bilingual line on stderr, an audit row per change, refusals that say why.

use daotao_tests::admin_cli::Admin;

#[test]
fn set_extra_time_grants_changes_and_removes_with_an_audit_row_each() {
    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    let percent = || admin.scalar("SELECT extra_time_percent FROM users WHERE username = 'lan.nguyen'");
    assert_eq!(percent(), 0, "nobody has extra time at first");

    let granted = admin.run(&["users", "set-extra-time", "Lan.Nguyen", "--percent", "50"]).ok();
    assert!(granted.stderr.contains("lan.nguyen has 50% extra time on every timed quiz"), "{granted:#?}");
    assert_eq!(percent(), 50);
    let again = admin.run(&["users", "set-extra-time", "lan.nguyen", "--percent", "50"]).ok();
    assert!(again.stderr.contains("already has 50% extra time"), "{again:#?}");
    let removed = admin.run(&["users", "set-extra-time", "lan.nguyen", "--percent", "0"]).ok();
    assert!(removed.stderr.contains("removed the extra time of lan.nguyen"), "{removed:#?}");
    assert_eq!(percent(), 0);

    let too_much = admin.run(&["users", "set-extra-time", "lan.nguyen", "--percent", "201"]).failed();
    assert!(too_much.stderr.contains("extra time of 201% is too much: at most 200%"), "{too_much:#?}");
    let unknown = admin.run(&["users", "set-extra-time", "khong.co", "--percent", "10"]).failed();
    assert!(unknown.stderr.contains("no account `khong.co`"), "{unknown:#?}");
    let negative = admin.run(&["users", "set-extra-time", "lan.nguyen", "--percent", "-5"]).failed();
    assert!(negative.stderr.contains("--percent"), "{negative:#?}");
    assert_eq!(percent(), 0, "a refusal changes nothing");

    assert_eq!(
        admin.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'user.extra_time' AND target = 'lan.nguyen'"
        ),
        2,
        "one row per change, none for setting the same value or a refusal"
    );
    assert_eq!(
        admin.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'user.extra_time' AND detail = '0% -> 50%' \
             AND actor LIKE 'daotao-admin%' AND ip = 'cli'"
        ),
        1
    );
}
