"""A real SMTP server for the reminder tests: aiosmtpd (PyPI), the SMTP server of Python's own asyncio
family, receiving for real over TCP.

Every message accepted is decoded by Python's `email` package (an implementation independent of the
Rust code that wrote it) and written to OUT as `NNNNNN.json`: envelope sender and recipients, the
decoded From, To and Subject, and the plain-text and HTML parts. Files appear whole (written, then
renamed). A recipient whose local part starts with `refuse` is refused with 550, as a real server
refuses an unknown mailbox. Prints `listening on PORT` when it accepts connections.

With --raw (the mail benchmark) only the recipients are kept, one line per message in OUT/recipients.txt: Python's decoding would be slower
than the sender it measures.

Usage: python3 smtp_server.py --port PORT --out DIR [--raw]
"""

import argparse
import email
import email.policy
import itertools
import json
import os
import signal
import threading

from aiosmtpd.controller import Controller


def lines(part):
    """A decoded part with the line ends a reader's mail client shows (SMTP carries CRLF)."""
    return part.get_content().replace("\r\n", "\n") if part is not None else None


class Recorder:
    def __init__(self, out, raw):
        self.out = out
        self.raw = raw
        self.counter = itertools.count(len(os.listdir(out)) + 1)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@", 1)[0].lower().startswith("refuse"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.raw:
            with self.lock:
                self.raw.write(" ".join(envelope.rcpt_tos) + "\n")
            return "250 Message accepted for delivery"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "text": lines(text),
            "html": lines(html),
        }
        return self.save(record)

    def save(self, record):
        with self.lock:
            n = next(self.counter)
        path = os.path.join(self.out, "%06d.json" % n)
        with open(path + ".part", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(path + ".part", path)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--raw", action="store_true", help="keep the envelope only, decode nothing (benchmarks)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    # Blocked before the server's thread starts (which inherits the mask), then waited for here.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    raw = open(os.path.join(args.out, "recipients.txt"), "a", encoding="utf-8", buffering=1) if args.raw else None
    controller = Controller(Recorder(args.out, raw), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("listening on %d" % args.port, flush=True)
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    controller.stop()


if __name__ == "__main__":
    main()
