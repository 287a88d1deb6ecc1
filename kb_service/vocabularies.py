"""The controlled vocabularies of CONTRACT §1: every input takes the code or the Chinese label."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    name: str
    """What the vocabulary is called in messages (纠纷类型)."""
    terms: dict[str, str]
    """code → Chinese label, in the contract's order."""

    def code(self, value: str) -> str:
        """The code for a code or a label; ValueError with a Chinese message otherwise."""
        text = str(value).strip()
        if text in self.terms:
            return text
        for code, label in self.terms.items():
            if text == label or text == label.split("（")[0]:
                return code
        choices = "、".join(f"{c}（{label}）" for c, label in self.terms.items())
        raise ValueError(f"未知的{self.name}“{text}”，可选：{choices}")

    def label(self, code: str) -> str:
        return self.terms[code]


DISPUTE_TYPES = Vocabulary(
    "纠纷类型",
    {
        "marriage": "婚姻纠纷",
        "family": "家庭纠纷（赡养、抚养、继承）",
        "neighbor": "邻里纠纷",
        "contract": "合同纠纷",
        "damages": "损害赔偿纠纷",
        "housing_land": "房屋宅基地纠纷",
        "forest_land": "山林土地纠纷（含土地承包）",
        "land_acquisition": "征地拆迁纠纷",
        "environment": "环境污染纠纷",
        "petition": "信访矛盾纠纷",
        "labor": "劳动争议纠纷",
        "medical": "医疗纠纷",
        "traffic": "道路交通事故纠纷",
        "property_mgmt": "物业纠纷",
        "consumer": "消费纠纷",
        "tourism": "旅游纠纷",
        "campus": "校园纠纷",
        "ecommerce": "电子商务纠纷",
        "logistics": "物流纠纷",
        "other": "其他纠纷",
    },
)

ORG_LEVELS = Vocabulary(
    "调解组织",
    {
        "village": "村（居）人民调解委员会",
        "township": "乡镇（街道）人民调解委员会",
        "enterprise": "企事业单位人民调解委员会",
        "chamber": "商会人民调解委员会",
        "professional": "行业性专业性人民调解委员会",
        "center": "专业人民调解中心",
        "stationed": "派驻人民调解工作室（诉调、检调、警调、访调）",
        "studio": "个人调解工作室",
    },
)

OUTCOMES = Vocabulary(
    "调解结果",
    {
        "success": "调解成功",
        "partial": "部分达成",
        "failed": "调解不成",
        "referred": "导入其他法治途径（仲裁、诉讼、行政裁决等）",
    },
)

CHANNELS = Vocabulary(
    "案件来源",
    {
        "applied": "当事人申请",
        "initiative": "主动调解",
        "police": "公安移交",
        "court": "法院委托",
        "government": "政府指定",
    },
)

CASE_LEVELS = Vocabulary("精品案例等级", {"province": "省级", "city": "市级", "county": "县级"})

PROFESSIONS = Vocabulary(
    "专业类别",
    {
        "lawyer": "律师",
        "arbitrator": "仲裁员",
        "notary": "公证员",
        "legal_worker": "基层法律服务工作者",
        "forensic": "司法鉴定人",
        "doctor": "医生",
        "teacher": "教师",
        "scholar": "专家学者",
        "retired_judge": "退休法官",
        "retired_prosecutor": "退休检察官",
        "retired_police": "退休民警",
        "psychologist": "心理咨询师",
        "engineer": "工程技术人员",
        "accountant": "会计师",
        "official": "退休干部（信访、工会、妇联等）",
        "other": "其他",
    },
)

MATERIAL_KINDS = Vocabulary(
    "材料类型",
    {
        "lesson": "课程讲义",
        "law": "法律解读",
        "skill": "调解技巧",
        "policy": "政策文件",
        "case_analysis": "案例评析",
        "exercise": "练习",
    },
)


def region_path(region: str | None) -> list[str]:
    """``吉林省/延边朝鲜族自治州/延吉市`` → itself and every ancestor, for prefix filters."""
    if not region:
        return []
    parts = [p.strip() for p in region.strip().strip("/").split("/") if p.strip()]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]
