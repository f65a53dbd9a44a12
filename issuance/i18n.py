"""Every string people read on a label or the consumer page, in English and Chinese, from one table.

``TEXTS[lang][key]``; both languages have the same keys (a test checks) and every
``VerifyStatus`` has a verdict (``status.<value>``) and an explanation (``status.<value>.help``).
Dates are shown as ISO 8601 in both languages (unambiguous), times in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from html import escape as _escape
from typing import Literal

from issuance.errors import IssuanceError
from issuance.model import Boundary
from registry.errors import Location

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")
HTML_LANG: dict[Lang, str] = {"en": "en", "zh": "zh-Hans"}

TEXTS: dict[Lang, dict[str, str]] = {
    "en": {
        "page.title": "Carbon label check",
        "label.title": "Carbon footprint",
        "label.scan": "Scan to verify",
        "colon": ": ",
        "status.valid": "Genuine and current",
        "status.valid.help": "Issued by an accredited certifier; the signature checks out and the label is in force.",
        "status.valid_status_unknown": "Genuine, revocation not checked",
        "status.valid_status_unknown.help": (
            "The signature checks out, but without the certifier's status list it is unknown whether "
            "the label has since been revoked or suspended."
        ),
        "status.suspended": "Suspended",
        "status.suspended.help": "The certifier has suspended this label while it is reviewed. Do not rely on it now.",
        "status.revoked": "Revoked",
        "status.revoked.help": "The certifier has withdrawn this label. What it claims no longer holds.",
        "status.expired": "Expired",
        "status.expired.help": "The validity period of this label has ended.",
        "status.invalid_signature": "Forged: signature does not match",
        "status.invalid_signature.help": "This label was not issued as shown, or it was altered. Do not trust it.",
        "status.unknown": "Not found: this may be a counterfeit",
        "status.unknown.help": (
            "The registry knows no label, or no signing key, for this code. Compare the product name and GTIN "
            "(barcode number) on the item in hand with what the seller claims, and do not rely on this label."
        ),
        "status.out_of_scope": "Outside the certifier's scope",
        "status.out_of_scope.help": "The signing certifier is not accredited for this product or scheme.",
        "claims.current": "What the label states",
        "claims.past": "What the label stated (not valid now)",
        "claims.none": "No label details can be shown.",
        "product.compare": "Check that this is the product you hold: compare its name and GTIN with the item.",
        "grade": "Grade",
        "grade.illustrative": "Illustrative grade",
        "grade.illustrative.help": (
            "The bands are an example set by the rule pack, not by an authority: read how they were set "
            "before comparing products."
        ),
        "grade.basis": "How the bands were set",
        "recomputed": "Recomputed from factor set {sets}: deviation {deviation} %",
        "recomputed.no_deviation": "Recomputed from factor set {sets}",
        "recomputed.many": "Recomputed from factor sets {sets}: deviation {deviation} %",
        "recomputed.many.no_deviation": "Recomputed from factor sets {sets}",
        "not_recomputed": "Declared figure, not recomputed",
        "grade.illustrative.short": "Illustrative",
        "grade.catalogue": "Grade",
        "grade.catalogue.help": "Graded under the grading catalogue {catalogue}, set by an authority.",
        "grade.regraded": (
            "Re-graded on {date} to {grade} under this newer version of the catalogue; the label as printed "
            "shows {printed}, its grade under {catalogue}."
        ),
        "grade.withdrawn": (
            "The catalogue version {catalogue} that set this grade was withdrawn on {date} ({reason}); "
            "the grade stands as given."
        ),
        "grade.catalogue.short": "Grading catalogue: {catalogue}",
        "grade.transition.keep-until-expiry": (
            "A newer version of the catalogue is in force ({current}); this grade stays valid until the label expires."
        ),
        "grade.transition.regrade-by": (
            "A newer version of the catalogue is in force ({current}): this label is to be re-graded by {by}."
        ),
        "grade.transition.overdue": (
            "A newer version of the catalogue is in force ({current}): this label was to be re-graded by {by}, "
            "and has not been."
        ),
        "grade.none": "No grade",
        "grade.none.help": "This label states the carbon footprint only: its scheme sets no grades for this product.",
        "grade.none.eu-battery": (
            "The EU Battery Regulation has not yet set carbon footprint performance classes: this label states "
            "the footprint only, with no grade."
        ),
        "link.catalogue": "The grading scale (catalogue)",
        "grade.none.short": "No grade: this scheme sets no grades for this product",
        "grade.none.short.eu-battery": "No grade: the EU Battery Regulation has set no performance classes yet",
        "footprint": "Carbon footprint",
        "per": "per {unit}",
        "boundary": "Boundary",
        "boundary.cradle-to-gate": "Cradle to gate",
        "boundary.cradle-to-grave": "Cradle to grave",
        "boundary.gate-to-gate": "Gate to gate",
        "product": "Product",
        "product.name": "Name",
        "gtin": "GTIN",
        "batch": "Batch",
        "certification": "Certification",
        "certifier": "Certified by",
        "rule_pack": "Rule pack",
        "scheme": "Scheme",
        "accreditation": "Accreditation of the certifier",
        "accreditation.active": "in force",
        "accreditation.suspended": "suspended",
        "accreditation.withdrawn": "withdrawn",
        "accreditation.since": "since {day}",
        "accreditation.policy": "If the accreditation is suspended or withdrawn",
        "accreditation.policy.labels_stay_valid": (
            "labels issued while it was in force stay valid; the certifier may issue no new ones"
        ),
        "accreditation.policy.labels_suspended_with_certifier": (
            "this scheme suspends the certifier's labels with it, and reinstates them with it"
        ),
        "accreditation.policy.default": "(the registry's default: the scheme states no rule)",
        "issued": "Issued",
        "valid_until": "Valid until",
        "check": "Check",
        "label_id": "Label",
        "reason": "Reason",
        "status_checked": "Status list checked",
        "checked_at": "Checked",
        "links": "More",
        "link.rule_pack": "How grades are computed (rule pack)",
        "link.trust_list": "Accredited certifiers (trust list)",
        "link.complaint": "Report a problem with this label",
    },
    "zh": {
        "page.title": "碳标签验证",
        "label.title": "碳足迹",
        "label.scan": "扫码验证",
        "colon": "：",
        "status.valid": "真实有效",
        "status.valid.help": "由经认可的认证机构签发，签名验证通过，标签现行有效。",
        "status.valid_status_unknown": "签名真实，未核对撤销状态",
        "status.valid_status_unknown.help": (
            "签名验证通过，但缺少认证机构的状态列表，无法确认标签此后是否已被撤销或暂停。"
        ),
        "status.suspended": "已暂停",
        "status.suspended.help": "认证机构已暂停本标签以待复核，目前请勿采信。",
        "status.revoked": "已撤销",
        "status.revoked.help": "认证机构已撤销本标签，其声明的内容不再成立。",
        "status.expired": "已过期",
        "status.expired.help": "本标签的有效期已结束。",
        "status.invalid_signature": "伪造：签名不符",
        "status.invalid_signature.help": "本标签并非如所示签发，或已被篡改，请勿相信。",
        "status.unknown": "未找到：可能是假冒标签",
        "status.unknown.help": (
            "登记系统中没有与此码对应的标签或签名密钥。请核对手中商品上的产品名称和 GTIN（条码数字）"
            "与卖家所称是否一致，切勿轻信此标签。"
        ),
        "status.out_of_scope": "超出认证范围",
        "status.out_of_scope.help": "签发本标签的认证机构未获准认证此类产品或方案。",
        "claims.current": "标签声明的内容",
        "claims.past": "标签曾声明的内容（现已无效）",
        "claims.none": "无法显示标签内容。",
        "product.compare": "请确认这就是您手中的商品：将其名称和 GTIN 与实物对照。",
        "grade": "等级",
        "grade.illustrative": "示意等级",
        "grade.illustrative.help": "分级为规则包设定的示例，并非主管机构设定；比较产品前请先了解分级依据。",
        "grade.basis": "分级依据",
        "recomputed": "已依据因子集 {sets} 重新核算：偏差 {deviation} %",
        "recomputed.no_deviation": "已依据因子集 {sets} 重新核算",
        "recomputed.many": "已依据因子集 {sets} 重新核算：偏差 {deviation} %",
        "recomputed.many.no_deviation": "已依据因子集 {sets} 重新核算",
        "not_recomputed": "申报数值，未经重新核算",
        "grade.illustrative.short": "示意",
        "grade.catalogue": "等级",
        "grade.catalogue.help": "依据主管机构设定的分级目录 {catalogue} 评定。",
        "grade.regraded": (
            "已于 {date} 按分级目录新版本重新评定为 {grade} 级；印刷标签上为 {printed} 级（依据 {catalogue}）。"
        ),
        "grade.withdrawn": "评定本等级的分级目录版本 {catalogue} 已于 {date} 撤回（{reason}）；本等级按原评定保留。",
        "grade.catalogue.short": "分级目录：{catalogue}",
        "grade.transition.keep-until-expiry": "分级目录已有新版本生效（{current}）；本等级在标签到期前继续有效。",
        "grade.transition.regrade-by": "分级目录已有新版本生效（{current}）：本标签须在 {by} 前重新评定等级。",
        "grade.transition.overdue": (
            "分级目录已有新版本生效（{current}）：本标签应在 {by} 前重新评定等级，但尚未重新评定。"
        ),
        "grade.none": "无等级",
        "grade.none.help": "本标签仅声明碳足迹：其方案未对此类产品设定等级。",
        "grade.none.eu-battery": "欧盟电池法规尚未设定碳足迹性能等级：本标签仅声明碳足迹，不分等级。",
        "link.catalogue": "分级标准（分级目录）",
        "grade.none.short": "无等级：该方案未对此类产品设定等级",
        "grade.none.short.eu-battery": "无等级：欧盟电池法规尚未设定碳足迹性能等级",
        "footprint": "碳足迹",
        "per": "每 {unit}",
        "boundary": "系统边界",
        # common Chinese usage in PCF texts (secondary sources); GB/T 24067's own wording [unchecked]
        "boundary.cradle-to-gate": "从摇篮到大门",
        "boundary.cradle-to-grave": "从摇篮到坟墓",
        "boundary.gate-to-gate": "从大门到大门",
        "product": "产品",
        "product.name": "名称",
        "gtin": "商品条码 (GTIN)",
        "batch": "批次",
        "certification": "认证",
        "certifier": "认证机构",
        "rule_pack": "规则包",
        "scheme": "认证方案",
        "accreditation": "认证机构的认可",
        "accreditation.active": "有效",
        "accreditation.suspended": "已暂停",
        "accreditation.withdrawn": "已撤销",
        "accreditation.since": "自 {day} 起",
        "accreditation.policy": "认可被暂停或撤销时",
        "accreditation.policy.labels_stay_valid": "认可有效期间颁发的标识继续有效；认证机构不得再颁发新标识",
        "accreditation.policy.labels_suspended_with_certifier": (
            "本方案规定：该认证机构的标识随认可一并暂停，并随认可恢复而恢复"
        ),
        "accreditation.policy.default": "（登记系统默认规则：本方案未作规定）",
        "issued": "签发日期",
        "valid_until": "有效期至",
        "check": "验证",
        "label_id": "标签编号",
        "reason": "原因",
        "status_checked": "状态列表检查时间",
        "checked_at": "验证时间",
        "links": "更多信息",
        "link.rule_pack": "等级如何计算（规则包）",
        "link.trust_list": "经认可的认证机构（信任列表）",
        "link.complaint": "举报此标识的问题",
    },
}

# The printed label (issue 14), its own block: the words beside the batch and the scheme's name.
TEXTS["en"].update({"label.batch": "Batch", "label.scheme": "Scheme"})
TEXTS["zh"].update({"label.batch": "批次", "label.scheme": "认证方案"})

# PACT declared-unit names (v3 ``declaredUnitOfMeasurement``) in Chinese; English shows them as they are.
UNIT_NAMES_ZH: dict[str, str] = {
    "liter": "升",
    "kilogram": "千克",
    "cubic meter": "立方米",
    "kilowatt hour": "千瓦时",
    "megajoule": "兆焦",
    "ton kilometer": "吨公里",
    "square meter": "平方米",
    "piece": "件",
    "hour": "小时",
    "megabit second": "兆比特秒",
}

CO2E = "kg CO₂e"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def check_lang(lang: object) -> Lang:
    """``lang`` if it is ``en`` or ``zh``; an ``IssuanceError`` (reason ``bad_lang``) otherwise."""
    for known in LANGS:
        if lang == known:
            return known
    raise IssuanceError(
        f"lang must be one of {', '.join(LANGS)}, got {lang!r}", Location(pointer="/lang"), reason="bad_lang"
    )


def text(lang: Lang, key: str, **values: str) -> str:
    """The ``key`` string in ``lang``, with ``{name}`` placeholders filled (values are not escaped)."""
    template = TEXTS[lang][key]
    return template.format(**values) if values else template


def no_grade_help(lang: Lang, scheme: str, *, short: bool = False) -> str:
    """Why a label has no grade, in the scheme's own words when the table has them (``short``: one printed line)."""
    if short:
        return TEXTS[lang].get(f"grade.none.short.{scheme}") or TEXTS[lang]["grade.none.short"]
    return TEXTS[lang].get(f"grade.none.{scheme}") or TEXTS[lang]["grade.none.help"]


def transition_text(lang: Lang, transition: dict[str, object] | None) -> str | None:
    """What the transition rule of a newer catalogue version says of a label's grade, for people."""
    if not transition:
        return None
    key = "grade.transition.overdue" if transition.get("overdue") else f"grade.transition.{transition['policy']}"
    return text(lang, key, current=str(transition["current"]), by=str(transition.get("by", "")))


def withdrawn_text(lang: Lang, catalogue: str, withdrawn: Mapping[str, object] | None) -> str | None:
    """What a withdrawn catalogue version (``{reason, at}``: ISO 8601 time) means for a grade it set, for people."""
    if not withdrawn:
        return None
    at = withdrawn.get("at")
    day = long_date(datetime.fromisoformat(str(at)), lang) if at else "-"
    return text(lang, "grade.withdrawn", catalogue=catalogue, date=day, reason=str(withdrawn.get("reason") or "-"))


def escape(value: object) -> str:
    """Text for HTML or XML content and quoted attributes; characters XML forbids become U+FFFD."""
    return _escape(_NOT_XML.sub("\ufffd", str(value)), quote=True)


def declared_unit(unit: str, lang: Lang) -> str:
    """``"1 kilogram"`` as shown: unchanged in English, the PACT unit name translated in Chinese."""
    if lang == "zh":
        amount, _, name = unit.strip().partition(" ")
        if name in UNIT_NAMES_ZH:
            return f"{amount} {UNIT_NAMES_ZH[name]}"
    return unit


def boundary(value: Boundary | str, lang: Lang) -> str:
    key = f"boundary.{Boundary(value).value}" if value in tuple(Boundary) else ""
    return TEXTS[lang].get(key, str(value))


def date(moment: datetime) -> str:
    """The UTC calendar date, ISO 8601."""
    return _utc(moment).date().isoformat()


def timestamp(moment: datetime) -> str:
    """UTC date and time to the minute, e.g. ``2026-06-30 14:05 UTC``."""
    return _utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# ---------------------------------------------------------------------------------------------------
# Issue 14 (branch i14-page): the scale on the page, the human pages (grading, certifier), the log line,
# the language switch, reasons, units and dates shown in the page's language. Kept in one block to ease
# merging with other work on this table.

_I14_TEXTS: dict[Lang, dict[str, str]] = {
    "en": {
        "switch": "中文",
        "switch.label": "Language",
        "scale": "Grading scale",
        "scale.illustrative": "Illustrative scale",
        "scale.compared": "Compared with other {category} only.",
        "scale.limits": "Limits in {unit}.",
        "scale.here": "this product",
        "scale.upto": "up to {limit}",
        "scale.above": "above {limit}",
        "scale.any": "any value",
        "scale.none": "No scale: {why}",
        "link.grading": "How this grade is computed",
        "link.certifier": "About the certifier",
        "log": "Recorded in the public log at index {index}, checkpoint size {size}.",
        "log.proof": "Inclusion proof",
        "log.none": "Issued before the registry kept its public log.",
        "reason.key.suspended": "suspended by the certifier",
        "reason.key.revoked": "withdrawn by the certifier",
        "reason.key.expired": "the validity period has ended",
        "reason.key.key_withdrawn": "the signing key was withdrawn",
        "reason.key.unknown_label": "no label with this code in the registry",
        "reason.key.not_accredited": "the certifier was not accredited for this on the issue date",
        "reason.key.gtin_mismatch": "the label belongs to another product (GTIN)",
        "reason.key.scheme_out_of_scope": "the key may not sign labels for this scheme",
        "reason.key.pack_out_of_scope": "the key may not sign labels graded under this rule pack",
        "reason.note": "Details",
        "grading.title": "How this grade is computed",
        "grading.illustrative": (
            "Illustrative bands: set by the rule pack as an example, not by an authority. Do not compare "
            "products on them as on an official scale."
        ),
        "grading.pack": "Rule pack",
        "grading.set_by": "Set by",
        "grading.basis": "How the bands were set",
        "grading.metric": "Figure graded",
        "grading.unit": "Limits in",
        "grading.bands": "Bands",
        "grading.grade": "Grade",
        "grading.limit": "Limit",
        "grading.meaning": "Meaning",
        "grading.notice": "About this rule pack",
        "grading.none": "This rule pack sets no grades: its labels state the footprint only.",
        "certifier.title": "Certifier",
        "certifier.name": "Name",
        "certifier.id": "Registry id",
        "certifier.accreditations": "Accreditations",
        "certifier.none": "No accreditation of this certifier is recorded in this registry.",
        "certifier.body": "Accredited by",
        "certifier.state": "State",
        "certifier.valid": "Valid",
        "certifier.scope": "Scope",
        "certifier.schemes": "Schemes",
        "certifier.categories": "Product categories",
        "certifier.regions": "Regions",
        "certifier.standard": "Assessed against",
        "certifier.policy": "If an accreditation is suspended or withdrawn",
        "certifier.contact": "Contact",
        "certifier.contact.text": (
            "This registry holds no direct contact for the certifier. To report a problem with a label, use "
            "\u201cReport a problem with this label\u201d on the label's page: the certifier and the regulator see it."
        ),
        "certifier.unknown": "No certifier with this id is known to this registry.",
        "certifier.contact.email": "E-mail",
        "certifier.contact.url": "Website",
        "certifier.contact.phone": "Telephone",
        "certifier.contact.address": "Postal address",
        "certifier.contact.report": (
            "To report a problem with a label, use \u201cReport a problem with this label\u201d on the label's page: "
            "the certifier and the regulator see it."
        ),
        "any": "all",
        "back": "Back to the label",
        "home": "Carbon label registry",
    },
    "zh": {
        "switch": "English",
        "switch.label": "语言",
        "scale": "等级标尺",
        "scale.illustrative": "示意标尺",
        "scale.compared": "仅与其他{category}比较。",
        "scale.limits": "限值单位：{unit}。",
        "scale.here": "本产品",
        "scale.upto": "不超过 {limit}",
        "scale.above": "超过 {limit}",
        "scale.any": "任意数值",
        "scale.none": "无等级标尺：{why}",
        "link.grading": "本等级如何评定",
        "link.certifier": "关于认证机构",
        "log": "已记录于公开日志，序号 {index}，检查点规模 {size}。",
        "log.proof": "包含证明",
        "log.none": "本标签签发于登记系统开始保存公开日志之前。",
        "reason.key.suspended": "认证机构已暂停",
        "reason.key.revoked": "认证机构已撤销",
        "reason.key.expired": "有效期已结束",
        "reason.key.key_withdrawn": "签名密钥已被撤回",
        "reason.key.unknown_label": "登记系统中没有此编码的标签",
        "reason.key.not_accredited": "签发之日认证机构未获此项认可",
        "reason.key.gtin_mismatch": "此标签属于另一产品（GTIN 不符）",
        "reason.key.scheme_out_of_scope": "该密钥无权为此方案签发标签",
        "reason.key.pack_out_of_scope": "该密钥无权签发依此规则包分级的标签",
        "reason.note": "详情",
        "grading.title": "本等级如何评定",
        "grading.illustrative": "示意分级：由规则包作为示例设定，并非主管机构设定。请勿将其当作官方标尺比较产品。",
        "grading.pack": "规则包",
        "grading.set_by": "设定者",
        "grading.basis": "分级依据",
        "grading.metric": "分级所用数值",
        "grading.unit": "限值单位",
        "grading.bands": "等级划分",
        "grading.grade": "等级",
        "grading.limit": "限值",
        "grading.meaning": "含义",
        "grading.notice": "关于本规则包",
        "grading.none": "本规则包未设定等级：其标签仅声明碳足迹。",
        "certifier.title": "认证机构",
        "certifier.name": "名称",
        "certifier.id": "登记编号",
        "certifier.accreditations": "认可",
        "certifier.none": "本登记系统中没有该认证机构的认可记录。",
        "certifier.body": "认可机构",
        "certifier.state": "状态",
        "certifier.valid": "有效期",
        "certifier.scope": "认可范围",
        "certifier.schemes": "认证方案",
        "certifier.categories": "产品类别",
        "certifier.regions": "地区",
        "certifier.standard": "评审依据",
        "certifier.policy": "认可被暂停或撤销时",
        "certifier.contact": "联系方式",
        "certifier.contact.text": (
            "本登记系统未保存该认证机构的直接联系方式。如需举报标签问题，请使用标签页面上的“举报此标识的问题”："
            "认证机构和监管部门均可看到。"
        ),
        "certifier.unknown": "本登记系统中没有此编号的认证机构。",
        "certifier.contact.email": "电子邮件",
        "certifier.contact.url": "网站",
        "certifier.contact.phone": "电话",
        "certifier.contact.address": "通信地址",
        "certifier.contact.report": (
            "如需举报标签问题，请使用标签页面上的“举报此标识的问题”：认证机构和监管部门均可看到。"
        ),
        "any": "全部",
        "back": "返回标签",
        "home": "碳标签登记平台",
    },
}
for _lang in LANGS:
    TEXTS[_lang].update(_I14_TEXTS[_lang])

# How a declared unit reads after "per" ("每"): the display unit (a pint name) each quantity is shown in,
# tried in order, and its words. A declared "1000 kilogram" reads "per tonne" / "每吨" (pint converts).
_DISPLAY_UNITS: dict[str, tuple[str, ...]] = {
    "kilogram": ("tonne", "kilogram", "gram"),
    "liter": ("cubic meter", "liter"),
    "cubic meter": ("cubic meter", "liter"),
    "kilowatt hour": ("megawatt_hour", "kilowatt hour"),
    "megajoule": ("gigajoule", "megajoule"),
    "ton kilometer": ("ton kilometer",),
    "square meter": ("square meter",),
    "piece": ("piece",),
    "hour": ("hour",),
    "megabit second": ("megabit second",),
}
UNIT_WORDS: dict[str, dict[Lang, tuple[str, str]]] = {  # (singular, plural) per language
    "tonne": {"en": ("tonne", "tonnes"), "zh": ("吨", "吨")},
    "kilogram": {"en": ("kilogram", "kilograms"), "zh": ("千克", "千克")},
    "gram": {"en": ("gram", "grams"), "zh": ("克", "克")},
    "cubic meter": {"en": ("cubic metre", "cubic metres"), "zh": ("立方米", "立方米")},
    "liter": {"en": ("litre", "litres"), "zh": ("升", "升")},
    "megawatt_hour": {"en": ("megawatt hour", "megawatt hours"), "zh": ("兆瓦时", "兆瓦时")},
    "kilowatt hour": {"en": ("kilowatt hour", "kilowatt hours"), "zh": ("千瓦时", "千瓦时")},
    "gigajoule": {"en": ("gigajoule", "gigajoules"), "zh": ("吉焦", "吉焦")},
    "megajoule": {"en": ("megajoule", "megajoules"), "zh": ("兆焦", "兆焦")},
    "ton kilometer": {"en": ("tonne kilometre", "tonne kilometres"), "zh": ("吨公里", "吨公里")},
    "square meter": {"en": ("square metre", "square metres"), "zh": ("平方米", "平方米")},
    "piece": {"en": ("piece", "pieces"), "zh": ("件", "件")},
    "hour": {"en": ("hour", "hours"), "zh": ("小时", "小时")},
    "megabit second": {"en": ("megabit second", "megabit seconds"), "zh": ("兆比特秒", "兆比特秒")},
}


def _display_amount(amount: Decimal, unit: str) -> tuple[Decimal, str]:
    """``amount unit`` in the first display unit where it is a whole number of at least 1 (pint converts)."""
    if amount == 1 and unit in UNIT_WORDS:
        return amount, unit
    from registry.units import UnitError, convert

    for target in _DISPLAY_UNITS.get(unit, ()):
        try:
            shown = convert(amount, unit, target)
        except UnitError:
            continue
        if shown >= 1 and shown == shown.to_integral_value():
            return shown.normalize(), target
    return amount, unit


def per_unit(declared: str, lang: Lang) -> str:
    """What a figure is per, from a label's declared unit (``"1000 kilogram"``): ``per tonne`` / ``每吨``,
    ``per 2 tonnes`` / ``每 2 吨``; a unit the table does not know is shown as declared."""
    amount_text, _, name = declared.strip().partition(" ")
    try:
        amount = Decimal(amount_text)
    except ArithmeticError:
        return text(lang, "per", unit=declared_unit(declared, lang))
    if not amount.is_finite() or amount <= 0 or name not in UNIT_WORDS:
        return text(lang, "per", unit=declared_unit(declared, lang))
    shown, unit = _display_amount(amount, name)
    one, many = UNIT_WORDS[unit][lang]
    count = format(shown.normalize(), "f")
    if lang == "zh":
        return f"每{one}" if shown == 1 else f"每 {count} {one}"
    return f"per {one}" if shown == 1 else f"per {count} {many}"


def long_date(moment: datetime, lang: Lang) -> str:
    """The UTC calendar date: ISO 8601 in English, ``2026年12月7日`` in Chinese."""
    day = _utc(moment).date()
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def long_timestamp(moment: datetime, lang: Lang) -> str:
    """UTC date and time to the minute in ``lang`` (``2026年12月7日 14:05 UTC`` in Chinese)."""
    utc = _utc(moment)
    return f"{long_date(utc, lang)} {utc:%H:%M} UTC" if lang == "zh" else timestamp(utc)


def reason_text(lang: Lang, reason: str | None) -> str | None:
    """A verification's machine reason in words (None when the table has none)."""
    return TEXTS[lang].get(f"reason.key.{reason}") if reason else None


_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def text_lang(value: str) -> str:
    """The HTML ``lang`` of free text someone else wrote: Chinese when it has Han characters, else English."""
    return HTML_LANG["zh"] if _CJK.search(value) else HTML_LANG["en"]


def number(value: str, lang: Lang) -> str:
    """A decimal limit with thousands grouped (``16,000``), digits unchanged otherwise."""
    try:
        amount = Decimal(value)
    except ArithmeticError:
        return value
    if not amount.is_finite():
        return value
    return f"{amount:,}"
