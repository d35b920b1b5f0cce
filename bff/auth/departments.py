"""Camera-owning departments and industries (appendix 5, 摄像机所属部门/行业)."""

from __future__ import annotations

from sqlalchemy import insert, select

from bff.auth.models import Department
from bff.lib.db import Database

DEPARTMENTS: dict[str, str] = {
    "01": "政府办公室", "02": "发展和改革部门", "03": "教育部门", "04": "科学技术部门",
    "05": "工业和信息化部门", "06": "公安部门", "07": "民政部门", "08": "司法部门",
    "09": "财政部门", "10": "人力资源和社会保障部门", "11": "自然资源部门", "12": "生态环境部门",
    "13": "住房和城乡建设部门", "14": "交通运输部门", "15": "水务部门", "16": "农业农村部门",
    "17": "商务部门", "18": "文化广电旅游体育部门", "19": "卫生健康部门", "20": "退役军人事务部门",
    "21": "应急管理部门", "22": "审计部门", "23": "国有资产监督管理委员会", "24": "市场监督管理部门",
    "25": "统计部门", "26": "医疗保障部门", "27": "金融工作部门", "28": "信访部门",
    "29": "政务服务数据管理部门", "30": "林业部门", "31": "人民防空办公室", "32": "投资促进部门",
    "99": "其他",
}


async def seed_departments(database: Database) -> None:
    """Insert the appendix-5 departments the table lacks (every deployment needs them:
    users and cameras refer to them)."""
    async with database.sessions() as session, session.begin():
        known = set((await session.scalars(select(Department.code))).all())
        missing = [{"code": c, "name": n} for c, n in DEPARTMENTS.items() if c not in known]
        if missing:
            await session.execute(insert(Department), missing)
