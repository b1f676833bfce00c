"""An SMTP server for the tests: aiosmtpd on 127.0.0.1:<port>, each message received written
as one JSON file (envelope, Message-ID, decoded subject and text) into <dir>, atomically.

    smtp_sink.py <port> <dir>
"""
import asyncio
import email
import email.policy
import json
import os
import sys
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "from": str(message.get("From", "")),
            "to": str(message.get("To", "")),
            "message_id": str(message.get("Message-ID", "")).strip("<>"),
            "subject": str(message.get("Subject", "")),
            "body": body.get_content() if body is not None else "",
        }
        name = uuid.uuid4().hex
        temporary = os.path.join(self.directory, "." + name)
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False)
        os.rename(temporary, os.path.join(self.directory, name + ".json"))
        return "250 OK"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
