"""Reading customers' mail without a framework: encodings, HTML, quoted history, automatic mail,
the reference token and attachment names — as the mail clients of Chinese customers write them."""

from __future__ import annotations

from email.charset import BASE64, QP, Charset
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from kesu.core.mail import (
    detect_type,
    find_reference,
    html_to_text,
    mail_from_fields,
    parse_mail,
    reply_subject,
    sanitize_filename,
    split_quoted,
)


def _mail(body: str, charset: str, encoding, *, subject: str = "投诉", subtype: str = "plain", **headers) -> bytes:
    cs = Charset(charset)
    cs.body_encoding = encoding
    message = MIMEText(body, subtype, cs)
    message["Subject"] = Header(subject, charset).encode()
    message["From"] = f"{Header('王先生', charset).encode()} <Wang@Example.CN>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message.as_bytes()


@pytest.mark.parametrize(
    "charset, encoding, text",
    [
        ("gb2312", BASE64, "我的快递丢了"),
        ("gbk", QP, "我的快递丢了，镕"),  # 镕 is GBK, not GB2312
        ("gb18030", BASE64, "我的快递丢了𠀀"),
        ("big5", QP, "我的快遞丟了"),
        ("utf-8", BASE64, "我的快递丢了"),
    ],
)
def test_bodies_and_headers_in_every_chinese_encoding_are_read(charset, encoding, text):
    mail = parse_mail(_mail(text, charset, encoding, subject="快递" if charset != "big5" else "快遞"))
    assert mail.text == text
    assert mail.subject in ("快递", "快遞")
    assert (mail.from_name, mail.from_address) == ("王先生", "wang@example.cn")


def test_a_part_labelled_gb2312_that_holds_gbk_characters_is_still_read():
    message = MIMEText("", "plain")
    message.set_payload("朱镕基".encode("gbk"))
    message.replace_header("Content-Type", 'text/plain; charset="gb2312"')
    assert parse_mail(message.as_bytes()).text == "朱镕基"


def test_html_only_mail_becomes_text_and_its_blockquote_is_history():
    html = "<html><style>p{}</style><p>冰箱&nbsp;不制冷</p><p>要求换货</p><blockquote>上次的回复</blockquote></html>"
    mail = parse_mail(_mail(html, "utf-8", BASE64, subtype="html"))
    assert mail.new_text == "冰箱 不制冷\n\n要求换货"
    assert mail.quoted == "> 上次的回复"
    assert html_to_text("<script>alert(1)</script>好") == "好"


@pytest.mark.parametrize(
    "history",
    [
        "------------------ 原始邮件 ------------------\n发件人: 客诉中心",
        "-----Original Message-----\nFrom: desk",
        "在 2026年12月3日 10:00，客诉中心 写道：\n> 您好",
        "On Thu, Dec 3, 2026 at 10:00 AM Desk <desk@kesu.test> wrote:\n> hello",
        "发件人：客诉中心 <desk@kesu.test>\n发送时间：2026年12月3日",
    ],
)
def test_the_quoted_history_is_kept_apart_from_the_new_words(history):
    words, quoted = split_quoted(f"还是没有解决。\n\n{history}")
    assert words == "还是没有解决。"
    assert quoted == history


def test_a_mail_that_is_only_quoted_keeps_its_words():
    assert split_quoted("> 只有引用") == ("> 只有引用", "")


@pytest.mark.parametrize(
    "headers, reason",
    [
        ({"Auto_Submitted": "auto-replied"}, "Auto-Submitted"),
        ({"Precedence": "bulk"}, "Precedence"),
        ({"List_Id": "<news.shop.example>"}, "mailing list"),
        ({"Return_Path": "<>"}, "bounce"),
        ({"Auto_Submitted": "no"}, ""),
    ],
)
def test_automatic_and_bulk_mail_is_recognised(headers, reason):
    mail = parse_mail(_mail("自动回复", "utf-8", BASE64, **headers))
    assert mail.automatic.startswith(reason) if reason else mail.automatic == ""


def test_mail_from_the_mailer_daemon_is_automatic():
    message = MIMEText("undeliverable", "plain", "utf-8")
    message["From"] = "MAILER-DAEMON@mx.example.cn"
    assert parse_mail(message.as_bytes()).automatic


def test_threading_ids_nearest_first_and_a_stable_id_for_mail_without_one():
    raw = _mail("好", "utf-8", BASE64, In_Reply_To="<c@x>", References="<a@x> <b@x>\n <c@x>")
    mail = parse_mail(raw)
    assert mail.thread_ids == ("<c@x>", "<b@x>", "<a@x>")
    assert mail.message_id == parse_mail(raw).message_id
    assert mail.message_id.endswith("@kesu.no-message-id>")


def test_the_reference_token_and_the_reply_subject():
    assert find_reference("Re: 您的投诉 [ks2026120312345678]") == "KS2026120312345678"
    assert find_reference("回复：【KS2026120312345678】") == "KS2026120312345678"
    assert find_reference("KS2026120312345678 without brackets") == ""
    assert reply_subject("回复：Re: 宽带断网 [KS2026120312345678]", "KS2026120312345678", fallback="x") == (
        "Re: 宽带断网 [KS2026120312345678]"
    )
    assert reply_subject("", "KS1", fallback="您的投诉的回复") == "Re: 您的投诉的回复 [KS1]"


def test_attachment_names_are_sanitised_and_their_types_read_from_the_bytes():
    assert sanitize_filename("../../etc/passwd") == "passwd"
    assert sanitize_filename("C:\\Users\\李\\账单 3月.pdf") == "账单 3月.pdf"
    assert sanitize_filename('a<b>:"c|?*.png') == "a_b_c_.png"
    assert sanitize_filename("CON.txt") == "attachment.txt"
    assert len(sanitize_filename("长" * 500 + ".jpg")) == 120
    assert detect_type("账单.pdf", b"%PDF-1.7") == "application/pdf"
    assert detect_type("账单.pdf", b"MZ\x90\x00") == "application/x-msdownload"
    assert detect_type("说明.txt", "中文说明".encode("gb18030")) == "text/plain"
    assert detect_type("x.bin", b"\x00\x01\x02") == "application/octet-stream"


def test_attachments_with_encoded_names_are_found():
    message = MIMEMultipart()
    message["From"] = "a@b.cn"
    message.attach(MIMEText("见附件", "plain", "utf-8"))
    for name, encoding in (("维修单.pdf", "rfc2231"), ("发票.pdf", "rfc2047")):
        part = MIMEApplication(b"%PDF-1.4")
        if encoding == "rfc2231":
            part.add_header("Content-Disposition", "attachment", filename=("gbk", "", name))
        else:
            part.add_header("Content-Disposition", "attachment", filename=Header(name, "gb2312").encode())
        message.attach(part)
    mail = parse_mail(message.as_bytes())
    assert [a.filename for a in mail.attachments] == ["维修单.pdf", "发票.pdf"]
    assert mail.text == "见附件"


def test_a_providers_parsed_fields_make_the_same_mail():
    raw = mail_from_fields(sender="陈 <chen@example.cn>", subject="冰箱", text="不制冷", message_id="<m@p>")
    mail = parse_mail(raw)
    assert (mail.from_address, mail.subject, mail.text, mail.message_id) == ("chen@example.cn", "冰箱", "不制冷", "<m@p>")
