"""Outgoing e-mail: SMTP when MAIL_SERVER is set, else .eml files under instance/mail/."""
from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from jinja2 import TemplateNotFound


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def build_message(
    to: list[str] | str, subject: str, text: str, html: str | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = ", ".join([to] if isinstance(to, str) else to)
    # Subjects carry agency-written titles: a line break in one would make the
    # message unsendable (and is how headers get smuggled in), so it folds to a space.
    msg["Subject"] = " ".join(subject.split())
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="clee-approvals.local")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for att in attachments:
        maintype, subtype = att.content_type.split("/", 1)
        msg.add_attachment(att.data, maintype=maintype, subtype=subtype, filename=att.filename)
    return msg


def send(msg: EmailMessage) -> str:
    """Deliver *msg*; return where it went. Raises smtplib/OSError on failure
    (jobs let it propagate so RQ records the failure and the sweep retries)."""
    cfg = current_app.config
    if cfg.get("MAIL_SERVER"):
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=15) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(msg)
        return f"smtp://{cfg['MAIL_SERVER']}:{cfg['MAIL_PORT']}"
    folder = Path(cfg["INSTANCE_DIR"]) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{msg['Date'][5:16].replace(' ', '-')}-{uuid.uuid4().hex[:12]}.eml"
    path.write_bytes(bytes(msg))
    return str(path)


def send_template(
    to: list[str] | str, subject: str, template: str,
    attachments: tuple[Attachment, ...] = (), **context: object,
) -> str:
    """Render templates/mail/<template>.txt (and .html if present) and send."""
    text = render_template(f"mail/{template}.txt", **context)
    try:
        html = render_template(f"mail/{template}.html", **context)
    except TemplateNotFound:  # the HTML part is optional
        html = None
    return send(build_message(to, subject, text, html, attachments))
