"""Queues N reminder e-mails straight into the outbox, as `reminders queue` writes them (Vietnamese subject,
plain text and HTML bodies of a real reminder's size), so the benchmark measures sending alone."""

import subprocess
import sys
from datetime import datetime, timezone

backend, url, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
now = datetime.now(timezone.utc).isoformat()
text = (
    "Kính gửi {name},\n\nAnh/Chị được giao chương trình bồi dưỡng \"Bồi dưỡng an toàn thông tin hằng năm\". "
    "Xin vui lòng hoàn thành các khoá học sau trước hết ngày 05/03/2027:\n\n"
    "- An toàn thông tin cơ bản: https://daotao.tinhmau.example/courses/an-toan-thong-tin-co-ban\n\n"
    "Tiến độ của Anh/Chị: https://daotao.tinhmau.example/me\n\nTrân trọng,\nHệ thống Đào tạo số\n"
)
html = "<!DOCTYPE html><html lang=\"vi\"><body><p>" + text.replace("\n\n", "</p><p>") + "</p></body></html>"
rows = [
    (
        f"bench:{i}", "assigned", f"nguoi{i:06}@tinhmau.example", f"Nguyễn Văn {i}",
        "Chương trình bồi dưỡng mới: Bồi dưỡng an toàn thông tin hằng năm, hạn hoàn thành 05/03/2027",
        text.format(name=f"Nguyễn Văn {i}"), html.format(name=f"Nguyễn Văn {i}"),
    )
    for i in range(n)
]
columns = "dedup_key, kind, to_address, to_name, subject, body_text, body_html, queued_at, attempts, next_attempt_at"
if backend == "sqlite":
    import sqlite3

    db = sqlite3.connect(url.removeprefix("sqlite://"))
    db.executemany(
        f"INSERT INTO mail_outbox ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
        [r + (now, now) for r in rows],
    )
    db.commit()
else:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for r in rows:
        writer.writerow(r + (now, 0, now))
    subprocess.run(
        ["psql", "-q", url, "-c", f"COPY mail_outbox ({columns}) FROM STDIN WITH (FORMAT csv)"],
        input=buffer.getvalue().encode(), check=True,
    )
