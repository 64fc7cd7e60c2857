"""PDF documents in Chinese from templates (fpdf2, a CJK TrueType font).

The font is Debian's ``fonts-wqy-microhei`` (文泉驿微米黑), installed by ``make install`` when
missing; ``JIUZHU_CJK_FONT`` points elsewhere. fpdf2 embeds the subset of glyphs a document
uses, so a one-page notice stays small."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF

from app.config import get_settings
from app.errors import AppError

FAMILY = "cjk"


class FontMissing(AppError):
    status = 503
    code = "cjk_font_missing"
    message = "服务器未安装中文字体，无法生成文书；请管理员安装 fonts-wqy-microhei"


@dataclass(frozen=True)
class Template:
    """A document: a title, its paragraphs and who issues it on which day."""

    title: str
    paragraphs: list[str]
    issuer: str
    issued_on: date
    reference: str = ""


def cn_date(day: date) -> str:
    """``2026年10月8日``."""
    return f"{day.year}年{day.month}月{day.day}日"


def mask_name(name: str) -> str:
    """A name partly masked as public notices do: 张*明, 李*, 欧阳**华."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def render(template: Template) -> bytes:
    """The document as PDF bytes."""
    font = get_settings().cjk_font
    if not font.is_file():
        raise FontMissing()
    pdf = FPDF(format="A4")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(auto=True, margin=25)
    pdf.add_font(FAMILY, fname=str(font), collection_font_number=0)
    pdf.set_title(template.title)
    pdf.set_creator("Jiuzhu")
    pdf.add_page()
    pdf.set_font(FAMILY, size=18)
    pdf.multi_cell(0, 12, template.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if template.reference:
        pdf.set_font(FAMILY, size=10)
        pdf.multi_cell(0, 8, template.reference, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FAMILY, size=12)
    for paragraph in template.paragraphs:
        pdf.multi_cell(0, 8, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(8)
    pdf.multi_cell(0, 8, template.issuer, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 8, cn_date(template.issued_on), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
