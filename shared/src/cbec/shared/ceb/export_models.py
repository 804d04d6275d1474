# Generated from ceb-export-202205.xsd by cbec.shared.ceb.codegen; do not edit.
# Regenerate: uv run --frozen --no-sync python -m cbec.shared.ceb.codegen
# ruff: noqa: E501
# fmt: off
"""Models of the export messages of the customs CBEC standard (202205 edition).

Field names, nesting, optionality and facets follow the schema element by element; see
:mod:`cbec.shared.ceb.codegen` for the mapping. Usage::

    from cbec.shared.ceb import parse_message

    message = parse_message(xml_bytes)
"""

from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from cbec.shared.ceb.types import (
    COLLAPSE,
    XML_CHARS,
    CebMessage,
    CebModel,
    XmlFragment,
    XmlSpec,
    xs_decimal,
    xs_int,
)

__all__ = [
    "MESSAGES",
    "Arrival",
    "ArrivalHead",
    "ArrivalList",
    "ArrivalReturn",
    "BaseSubscribe",
    "BaseTransfer",
    "CEB213Message",
    "CEB214Message",
    "CEB215Message",
    "CEB216Message",
    "CEB303Message",
    "CEB304Message",
    "CEB403Message",
    "CEB404Message",
    "CEB505Message",
    "CEB506Message",
    "CEB507Message",
    "CEB508Message",
    "CEB509Message",
    "CEB510Message",
    "CEB603Message",
    "CEB604Message",
    "CEB605Message",
    "CEB606Message",
    "CEB607Message",
    "CEB608Message",
    "CEB701Message",
    "CEB702Message",
    "CEB792Message",
    "Departure",
    "DepartureHead",
    "DepartureList",
    "DepartureReturn",
    "ExtendMessage",
    "Inventory",
    "InventoryHead",
    "InventoryList",
    "InventoryReturn",
    "InvtCancel",
    "InvtCancelReturn",
    "InvtRefund",
    "InvtRefundDetail",
    "InvtRefundDetailReturn",
    "InvtRefundHead",
    "InvtRefundList",
    "Logistics",
    "LogisticsReturn",
    "Order",
    "OrderHead",
    "OrderList",
    "OrderReturn",
    "Receipts",
    "ReceiptsReturn",
    "RefundReturn",
    "SummaryApply",
    "SummaryApplyHead",
    "SummaryApplyList",
    "SummaryResult",
    "SummaryResultHead",
    "SummaryResultList",
    "SummaryReturn",
    "WayBill",
    "WayBillHead",
    "WayBillList",
    "WayBillReturn",
]

Dec_t19_f5 = Annotated[Decimal, xs_decimal(total_digits=19, fraction_digits=5)]
Int_t4 = Annotated[int, xs_int(total_digits=4)]
Int_t5 = Annotated[int, xs_int(total_digits=5)]
Int_t9 = Annotated[int, xs_int(total_digits=9)]
Str_len1 = Annotated[str, Field(min_length=1, max_length=1), XML_CHARS]
Str_len10 = Annotated[str, Field(min_length=10, max_length=10), XML_CHARS]
Str_len14 = Annotated[str, Field(min_length=14, max_length=14), XML_CHARS]
Str_len17 = Annotated[str, Field(min_length=17, max_length=17), XML_CHARS]
Str_len18 = Annotated[str, Field(min_length=18, max_length=18), XML_CHARS]
Str_len1_c = Annotated[str, COLLAPSE, Field(min_length=1, max_length=1), XML_CHARS]
Str_len3 = Annotated[str, Field(min_length=3, max_length=3), XML_CHARS]
Str_len36 = Annotated[str, Field(min_length=36, max_length=36), XML_CHARS]
Str_len4 = Annotated[str, Field(min_length=4, max_length=4), XML_CHARS]
Str_len8 = Annotated[str, Field(min_length=8, max_length=8), XML_CHARS]
Str_max1 = Annotated[str, Field(max_length=1), XML_CHARS]
Str_max10 = Annotated[str, Field(max_length=10), XML_CHARS]
Str_max100 = Annotated[str, Field(max_length=100), XML_CHARS]
Str_max1000 = Annotated[str, Field(max_length=1000), XML_CHARS]
Str_max1000_c = Annotated[str, COLLAPSE, Field(max_length=1000), XML_CHARS]
Str_max100_c = Annotated[str, COLLAPSE, Field(max_length=100), XML_CHARS]
Str_max18 = Annotated[str, Field(max_length=18), XML_CHARS]
Str_max19 = Annotated[str, Field(max_length=19), XML_CHARS]
Str_max20 = Annotated[str, Field(max_length=20), XML_CHARS]
Str_max200_c = Annotated[str, COLLAPSE, Field(max_length=200), XML_CHARS]
Str_max250 = Annotated[str, Field(max_length=250), XML_CHARS]
Str_max250_c = Annotated[str, COLLAPSE, Field(max_length=250), XML_CHARS]
Str_max3 = Annotated[str, Field(max_length=3), XML_CHARS]
Str_max30 = Annotated[str, Field(max_length=30), XML_CHARS]
Str_max32 = Annotated[str, Field(max_length=32), XML_CHARS]
Str_max32_c = Annotated[str, COLLAPSE, Field(max_length=32), XML_CHARS]
Str_max37 = Annotated[str, Field(max_length=37), XML_CHARS]
Str_max4 = Annotated[str, Field(max_length=4), XML_CHARS]
Str_max50 = Annotated[str, Field(max_length=50), XML_CHARS]
Str_max500 = Annotated[str, Field(max_length=500), XML_CHARS]
Str_max50_c = Annotated[str, COLLAPSE, Field(max_length=50), XML_CHARS]
Str_max60 = Annotated[str, Field(max_length=60), XML_CHARS]
Str_max80 = Annotated[str, Field(max_length=80), XML_CHARS]
Str_min1_max10 = Annotated[str, Field(min_length=1, max_length=10), XML_CHARS]
Str_min1_max3 = Annotated[str, Field(min_length=1, max_length=3), XML_CHARS]
Str_min3_max4_c = Annotated[str, COLLAPSE, Field(min_length=3, max_length=4), XML_CHARS]


class OrderHead(CebModel):
    """订单表头"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='OrderHead', collapse=frozenset({'goodsValue', 'freight'}), defaults={'appStatus': '1', 'freight': '0'})

    guid: Str_len36 = Field(description='系统唯一序号-企业系统生成36位唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='报送类型-企业报送类型。1-新增 2-变更 3-删除。')
    appTime: Str_len14 = Field(description='报送时间-企业报送时间。格式:YYYYMMDDhhmmss。')
    appStatus: Str_len1 = Field(description='报送状态-企业报送状态。1-暂存,2-申报。')
    orderType: Str_len1 = Field(description='订单类型-电商平台的订单类型 I-进口商品订单；E-出口商品订单；B-B2B出口订单；W-外综服订单')
    orderNo: Str_max60 = Field(description='订单编号-交易平台的订单编号，同一交易平台的订单编号应唯一')
    ebpCode: Str_max18 = Field(description='电商平台代码-电商平台的海关注册登记编号')
    ebpName: Str_max100 = Field(description='电商平台名称-电商平台的海关注册登记名称')
    ebcCode: Str_max18 = Field(description='电商企业代码-电商企业的海关注册登记编号(10位海关编码或18位统一社会信用代码)')
    ebcName: Str_max100 = Field(description='电商企业名称-电商企业的海关注册登记名称，对应清单的收发货人')
    goodsValue: Dec_t19_f5 = Field(description='商品金额-商品实际成交价FOB(不含运杂费)，含非现金抵扣金额')
    freight: Dec_t19_f5 = Field(description='运杂费-运杂费，无则填写"0"。')
    currency: Str_len3 = Field(description='币制-海关标准的参数代码 《JGS-20 海关业务代码集》- 货币代码')
    note: Str_max1000 | None = Field(default=None, description='备注')


_OrderHead = OrderHead


class OrderList(CebModel):
    """订单商品表体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='OrderList', collapse=frozenset({'gnum', 'qty', 'price', 'totalPrice'}))

    gnum: Int_t5 = Field(description='序号-从1开始的递增序号（与清单的商品项关联对应）')
    itemNo: Str_max30 = Field(description='企业商品货号-企业自定义的商品货号')
    itemName: Str_max250 = Field(description='企业商品名称-同一类商品的中文名称。任何一种具体商品可以并只能归入表中的一个条目')
    itemDescribe: Str_max1000 | None = Field(default=None, description='企业商品描述-电商平台上架的商品描述宣传信息')
    barCode: Str_max50 | None = Field(default=None, description='条形码-商品条形码一般由前缀部分、制造厂商代码、商品代码和校验码组成。')
    unit: Str_len3 = Field(description='计量单位-海关标准的参数代码 海关标准的参数代码 《JGS-20 海关业务代码集》，计量单位代码')
    currency: Str_len3 = Field(description='币制-海关标准的参数代码 海关标准的参数代码 《JGS-20 海关业务代码集》- 货币代码')
    qty: Dec_t19_f5 = Field(description='数量')
    price: Dec_t19_f5 = Field(description='单价')
    totalPrice: Dec_t19_f5 = Field(description='总价')
    note: Str_max1000 | None = Field(default=None, description='备注')


_OrderList = OrderList


class Order(CebModel):
    """电子订单数据实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Order', children={'OrderHead': _OrderHead, 'OrderList': _OrderList}, repeated=frozenset({'OrderList'}))

    OrderHead: _OrderHead = Field(description='订单表头')
    OrderList: list[_OrderList] = Field(min_length=1, max_length=100, description='订单商品表体')


_Order = Order


class BaseTransfer(CebModel):
    """基础报文传输实体（需要与实际客户端传输企业一致）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='BaseTransfer')

    copCode: Str_max18 = Field(description='报文传输的企业代码（需要与接入客户端的企业身份一致）')
    copName: Str_max100 = Field(description='报文传输的企业名称')
    dxpMode: Str_len3 = Field(description='默认为DXP；指中国电子口岸数据交换平台')
    dxpId: Str_max30 = Field(description='向中国电子口岸数据中心申请数据交换平台的用户编号')
    note: Str_max1000 | None = Field(default=None, description='备注')


_BaseTransfer = BaseTransfer


class BaseSubscribe(CebModel):
    """基础回执订阅实体（用于第三方提供数据的订阅下发）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='BaseSubscribe')

    status: Str_max100 = Field(description='用户订阅单证业务状态的信息, ALL-订阅数据和回执, DATA-只订阅数据,RET- 只订阅回执')
    dxpMode: Str_len3 = Field(description='默认为DXP；指中国电子口岸数据交换平台')
    dxpAddress: Str_max100 = Field(description='向中国电子口岸数据中心申请数据交换平台的用户编号')
    note: Str_max1000 | None = Field(default=None, description='备注')


_BaseSubscribe = BaseSubscribe


class ExtendMessage(CebModel):
    """扩展自定义数据实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='ExtendMessage', fragments=frozenset({'Message'}))

    name: Str_max30 = Field(description='自定义报文名称')
    version: Str_max30 = Field(description='自定义报文版本')
    Message: XmlFragment = Field(description='自定义报文实体')


_ExtendMessage = ExtendMessage


class CEB303Message(CebMessage):
    """电子订单数据报文（电商平台）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB303Message', attributes=('guid', 'version'), children={'Order': _Order, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'Order', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Order: list[_Order] = Field(min_length=1, max_length=100, description='电子订单数据实体')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class OrderReturn(CebModel):
    """订单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='OrderReturn')

    guid: Str_len36 = Field(description='系统唯一序号-电子口岸系统生成36位唯一序号（英文字母大写）')
    ebpCode: Str_max18 = Field(description='电商平台海关注册登记编号或统一社会信用代码。境内企业需据实填写海关注册登记编号或统一社会信用代码，境外平台企业如无法提供电商平台代码可填“无”。')
    ebcCode: Str_max18 = Field(description='电商企业代码-电商企业的海关注册登记编号。')
    orderNo: Str_max60 = Field(description='电商平台订单编号/海外仓订仓单编号，同一交易平台的订单编号应唯一。订单编号长度不能超过60位。')
    returnStatus: Str_min1_max10 = Field(description='回执状态-操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/399海关审结等）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='回执时间-操作时间(格式：yyyyMMddHHmmssfff)')
    returnInfo: Str_max1000 = Field(description='回执信息（如:退单原因）')


_OrderReturn = OrderReturn


class CEB304Message(CebMessage):
    """电子订单回执报文"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB304Message', attributes=('guid', 'version'), children={'OrderReturn': _OrderReturn}, repeated=frozenset({'OrderReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    OrderReturn: list[_OrderReturn] = Field(min_length=1, max_length=100, description='订单回执实体')


class Receipts(CebModel):
    """收款单数据实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Receipts', collapse=frozenset({'charge'}), defaults={'appStatus': '1'})

    guid: Str_len36 = Field(description='系统唯一序号-企业系统生成36位唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='报送类型-企业报送类型。1-新增 2-变更 3-删除。')
    appTime: Str_len14 = Field(description='报送时间-企业报送时间。格式:YYYYMMDDhhmmss。')
    appStatus: Str_len1 = Field(description='报送状态-企业报送状态。1-暂存,2-申报。')
    ebpCode: Str_max18 = Field(description='电商平台代码-电商企业的海关注册登记编号或统一社会信用代码,，对应清单的收发货人。')
    ebpName: Str_max100 = Field(description='电商平台名称-电商企业的海关注册登记编号或统一社会信用代码,，对应清单的收发货人。')
    ebcCode: Str_max18 = Field(description='电商企业代码-电商企业的海关注册登记编号(10位海关编码或18位统一社会信用代码)')
    ebcName: Str_max100 = Field(description='电商企业名称-电商企业的海关注册登记名称，对应清单的收发货人')
    orderNo: Str_max60 = Field(description='订单编号-电商平台的交易订单编号')
    payCode: Str_max18 | None = Field(default=None, description='支付企业代码-支付企业的海关编码,国内企业必填。')
    payName: Str_max100 = Field(description='支付企业名称-支付企业名称,非线上支付填"现金支付"')
    payNo: Str_max60 | None = Field(default=None, description='支付交易编号')
    charge: Dec_t19_f5 = Field(description='收款金额-支付企业的订单交易金额')
    currency: Str_len3 = Field(description='币制-海关标准的参数代码')
    accountingDate: Str_len14 = Field(description='到账时间 格式:YYYYMMDDhhmmss')
    note: Str_max1000 | None = Field(default=None, description='备注')


_Receipts = Receipts


class CEB403Message(CebMessage):
    """收款单数据报文（支付企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB403Message', attributes=('guid', 'version'), children={'Receipts': _Receipts, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'Receipts', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Receipts: list[_Receipts] = Field(min_length=1, max_length=100, description='收款单数据实体')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class ReceiptsReturn(CebModel):
    """收款单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='ReceiptsReturn')

    guid: Str_len36 = Field(description='系统唯一序号-电子口岸系统生成36位唯一序号（英文字母大写）')
    ebcCode: Str_max18 = Field(description='电商企业代码-电商企业的10位海关代码或者18位信用代码')
    orderNo: Str_max60 = Field(description='电商平台订单编号/海外仓订仓单编号，同一交易平台的订单编号应唯一。订单编号长度不能超过60位。')
    payNo: Str_max60 | None = Field(default=None, description='支付交易编号-支付交易编号')
    returnStatus: Str_min1_max10 = Field(description='回执状态-操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/399海关审结等）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='回执时间-操作时间(格式:yyyyMMddHHmmssfff)')
    returnInfo: Str_max1000 = Field(description='回执信息（如:退单原因）')


_ReceiptsReturn = ReceiptsReturn


class CEB404Message(CebMessage):
    """收款单回执报文"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB404Message', attributes=('guid', 'version'), children={'ReceiptsReturn': _ReceiptsReturn}, repeated=frozenset({'ReceiptsReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    ReceiptsReturn: list[_ReceiptsReturn] = Field(min_length=1, max_length=100, description='收款单回执实体')


class Logistics(CebModel):
    """物流运单数据实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Logistics', collapse=frozenset({'freight', 'insuredFee', 'grossWeight', 'packNo', 'goodsInfo'}), defaults={'appStatus': '2'})

    guid: Str_len36 = Field(description='系统唯一序号-企业系统生成36位唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='报送类型-企业报送类型。1-新增 2-变更 3-删除。')
    appTime: Str_len14 = Field(description='报送时间-企业报送时间。格式:YYYYMMDDhhmmss。')
    appStatus: Str_len1 = Field(description='报送状态-企业报送状态。1-暂存,2-申报。')
    logisticsCode: Str_max18 = Field(description='物流企业代码-物流企业的10位海关代码或者18位统一社会信用代码')
    logisticsName: Str_max100 = Field(description='物流企业名称-物流企业的海关登记名称')
    logisticsNo: Str_max32 = Field(description='物流运单编号-物流企业的运单包裹面单号（提运单号+运单编号形成唯一编号）')
    freight: Dec_t19_f5 = Field(description='运费-货物运输费用')
    insuredFee: Dec_t19_f5 = Field(description='保价费-货物保险费用')
    currency: Str_len3 = Field(description='币制-海关标准的参数代码 《JGS-20 海关业务代码集》- 货币代码')
    grossWeight: Dec_t19_f5 = Field(description='毛重-单位为千克')
    packNo: Int_t9 = Field(description='件数-单个运单下包裹数')
    goodsInfo: Str_max200_c = Field(description='主要货物信息-物流企业可验视的商品信息')
    ebcCode: Str_max18 | None = Field(default=None, description='收发货人代码-电商企业的10位海关代码或者18位信用代码')
    ebcName: Str_max100 | None = Field(default=None, description='收发货人名称-电商企业的海关备案名称（电子口岸校验名称）')
    ebcTelephone: Str_max50 | None = Field(default=None, description='收发货人电话')
    note: Str_max1000 | None = Field(default=None, description='备注')


_Logistics = Logistics


class CEB505Message(CebMessage):
    """物流运单数据报文（物流企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB505Message', attributes=('guid', 'version'), children={'Logistics': _Logistics, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'Logistics', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Logistics: list[_Logistics] = Field(min_length=1, max_length=100, description='物流运单数据实体')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class LogisticsReturn(CebModel):
    """物流运单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='LogisticsReturn')

    guid: Str_len36 = Field(description='系统唯一序号-电子口岸生成36位唯一序号（英文字母大写）')
    logisticsCode: Str_max18 = Field(description='物流企业代码-物流企业的海关注册登记编号。')
    logisticsNo: Str_max32 = Field(description='物流运单编号-物流企业的运单包裹面单号。同一物流企业的运单编号在6个月内不重复。运单编号长度不能超过60位。')
    returnStatus: Str_min1_max10 = Field(description='回执状态-操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/399海关审结等）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='回执时间-操作时间(格式:yyyyMMddHHmmssfff)')
    returnInfo: Str_max1000 = Field(description='回执信息（如:退单原因）')


_LogisticsReturn = LogisticsReturn


class CEB506Message(CebMessage):
    """物流运单回执报文"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB506Message', attributes=('guid', 'version'), children={'LogisticsReturn': _LogisticsReturn}, repeated=frozenset({'LogisticsReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    LogisticsReturn: list[_LogisticsReturn] = Field(min_length=1, max_length=100, description='物流运单回执实体')


class ArrivalHead(CebModel):
    """物流运抵单表头"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='ArrivalHead', collapse=frozenset({'trafMode', 'domesticTrafNo', 'msgCount', 'msgSeqNo'}), defaults={'appStatus': '1'})

    guid: Str_len36 = Field(description='系统唯一序号-企业系统生成36位唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='报送类型-企业报送类型。1-新增 2-变更 3-删除。')
    appTime: Str_len14 = Field(description='报送时间-企业报送时间。格式:YYYYMMDDhhmmss。')
    appStatus: Str_len1 = Field(description='报送状态-企业报送状态。1-暂存,2-申报。')
    customsCode: Str_len4 = Field(description='申报地海关代码-办理通关手续的4位海关编号')
    copNo: Str_max30 = Field(description='企业内部标识单证的编号')
    preNo: Str_len18 | None = Field(default=None, description='预录入编号-电子口岸标识单证的编号')
    operatorCode: Str_max18 = Field(description='监管场所经营人代码-监管场所经营人在海关注册登记的编号。邮路运输用邮政物流企业')
    operatorName: Str_max100 = Field(description='监管场所经营人名称-监管场所经营人在海关注册登记的名称。邮路运输用邮政物流企业')
    loctNo: Str_max10 | None = Field(default=None, description='监管场所代码-同一申报地海关下有多个跨境电子商务的监管场所,需要填写区分')
    ieFlag: Str_len1 = Field(description='进出口标记-I进口/E出口')
    trafMode: Str_len1_c = Field(description='运输方式-填写海关标准的参数代码，参照《JGS-20 海关业务代码集》- 运输方式代码。直购进口指跨境段物流运输方式。')
    billNo: Str_max37 | None = Field(default=None, description='提运单号-货物提单或运单的海运提单、空运总单或汽车载货清单。邮路运输方可为空。')
    domesticTrafNo: Str_max100_c = Field(description='境内运输工具编号-运往海关监管场所的运输工具编号，例如车牌号')
    logisticsCode: Str_max18 = Field(description='物流企业代码-物流企业的海关注册登记编号')
    logisticsName: Str_max100 = Field(description='物流企业名称-物流企业的海关注册登记名称')
    msgCount: Int_t9 = Field(description='报文总数-拆分后的报文总数。未拆分的不填，拆分的填实际数量。')
    msgSeqNo: Int_t9 = Field(description='报文序号-当前报文序号，以1开始的报文顺序号。未拆分的不填，拆分的报文需要连续编号，不得跳号。')
    note: Str_max1000 | None = Field(default=None, description='备注')


_ArrivalHead = ArrivalHead


class ArrivalList(CebModel):
    """物流运抵单表体（允许为空）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='ArrivalList', collapse=frozenset({'gnum'}))

    gnum: Int_t5 = Field(description='序号-从1开始的递增序号')
    logisticsNo: Str_max32 = Field(description='物流运单编号-物流企业的运单包裹面单号')
    totalPackageNo: Str_max37 | None = Field(default=None, description='总包号-物流企业对于一个提运单下含有多个大包的托盘编号（邮件为邮袋号）')
    note: Str_max1000 | None = Field(default=None, description='备注')


_ArrivalList = ArrivalList


class Arrival(CebModel):
    """物流运抵单数据实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Arrival', children={'ArrivalHead': _ArrivalHead, 'ArrivalList': _ArrivalList}, repeated=frozenset({'ArrivalList'}))

    ArrivalHead: _ArrivalHead = Field(description='物流运抵单表头')
    ArrivalList: list[_ArrivalList] = Field(default_factory=list, description='物流运抵单表体（允许为空）')


_Arrival = Arrival


class CEB507Message(CebMessage):
    """物流运抵地数据报文（物流企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB507Message', attributes=('guid', 'version'), children={'Arrival': _Arrival, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'Arrival', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Arrival: list[_Arrival] = Field(min_length=1, max_length=100, description='物流运抵单数据实体')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class ArrivalReturn(CebModel):
    """物流运抵单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='ArrivalReturn', collapse=frozenset({'msgSeqNo'}))

    guid: Str_len36 = Field(description='系统唯一序号-电子口岸生成36位唯一序号（英文字母大写）')
    operatorCode: Str_max18 = Field(description='监管场所经营人代码-监管场所经营人在海关注册登记的编号')
    logisticsCode: Str_max18 = Field(description='物流企业代码-物流企业的海关注册登记编号')
    preNo: Str_len18 = Field(description='预录入编号-电子口岸标识单证的编号')
    copNo: Str_max30 = Field(description='企业唯一编号-企业唯一标识单证的编号')
    billNo: Str_max37 = Field(description='提运单号-提单或总运单的编号')
    msgSeqNo: Int_t9 = Field(description='报文序号-当前报文序号，以1开始的报文顺序号。未拆分的不填，拆分的报文需要连续编号，不得跳号。')
    returnStatus: Str_min1_max10 = Field(description='回执状态-操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/399海关审结等）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='回执时间-操作时间(格式:yyyyMMddHHmmssfff)')
    returnInfo: Str_max1000 = Field(description='回执信息（如:退单原因）')


_ArrivalReturn = ArrivalReturn


class CEB508Message(CebMessage):
    """物流运抵单回执报文"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB508Message', attributes=('guid', 'version'), children={'ArrivalReturn': _ArrivalReturn}, repeated=frozenset({'ArrivalReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    ArrivalReturn: list[_ArrivalReturn] = Field(min_length=1, max_length=100, description='物流运抵单回执实体')


class DepartureHead(CebModel):
    """物流离境单表头数据"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='DepartureHead', collapse=frozenset({'trafMode', 'msgCount', 'msgSeqNo'}))

    guid: Str_len36 = Field(description='36位系统唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='申报类型:1-新增;2-变更;3-删除，默认为1')
    appTime: Str_len14 = Field(description='业务时间,格式:YYYYMMDDhhmmss')
    appStatus: Str_len1 = Field(description='企业报送状态-企业报送状态。1-暂存,2-申报。')
    customsCode: Str_len4 = Field(description='办理通关手续的4位海关编号')
    copNo: Str_max30 = Field(description='企业唯一编号')
    preNo: Str_len18 | None = Field(default=None, description='预录入编号-电子口岸标识单证的编号')
    logisticsCode: Str_max18 = Field(description='物流企业代码,10位海关代码或者18位信用代码')
    logisticsName: Str_max100 = Field(description='物流企业名称')
    trafMode: Str_len1_c = Field(description='运输方式')
    trafName: Str_max100 | None = Field(default=None, description='运输工具名称')
    voyageNo: Str_max32 | None = Field(default=None, description='航班航次号')
    billNo: Str_max37 | None = Field(default=None, description='提运单号,物流企业提供')
    leaveTime: Str_len14 = Field(description='离境时间')
    msgCount: Int_t9 = Field(description='报文总数-拆分后的报文总数。未拆分的不填，拆分的填实际数量。')
    msgSeqNo: Int_t9 = Field(description='报文序号-当前报文序号，以1开始的报文顺序号。未拆分的不填，拆分的报文需要连续编号，不得跳号。')
    note: Str_max1000 | None = Field(default=None, description='备注')


_DepartureHead = DepartureHead


class DepartureList(CebModel):
    """物流离境单表体类"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='DepartureList', collapse=frozenset({'gnum'}))

    gnum: Int_t5 = Field(description='序号')
    totalPackageNo: Str_max37 | None = Field(default=None, description='总包号')
    logisticsNo: Str_max32 = Field(description='物流运单号')
    note: Str_max1000 | None = Field(default=None, description='备注')


_DepartureList = DepartureList


class Departure(CebModel):
    """物流离境单数据"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Departure', children={'DepartureHead': _DepartureHead, 'DepartureList': _DepartureList}, repeated=frozenset({'DepartureList'}))

    DepartureHead: _DepartureHead = Field(description='物流离境单表头数据')
    DepartureList: list[_DepartureList] = Field(min_length=1, description='物流离境单表体类')


_Departure = Departure


class CEB509Message(CebMessage):
    """物流离境单数据"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB509Message', attributes=('guid', 'version'), children={'Departure': _Departure, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'Departure', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Departure: list[_Departure] = Field(min_length=1, max_length=100, description='物流离境单数据')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class DepartureReturn(CebModel):
    """物流离境回执类"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='DepartureReturn', collapse=frozenset({'msgSeqNo'}))

    guid: Str_len36 = Field(description='36位系统唯一序号（英文字母大写）')
    logisticsCode: Str_max18 = Field(description='物流企业代码,10位海关代码或者18位信用代码')
    copNo: Str_max30 = Field(description='企业唯一编号')
    preNo: Str_len18 = Field(description='预录入编号-电子口岸标识单证的编号')
    msgSeqNo: Int_t9 = Field(description='报文序号-当前报文序号，以1开始的报文顺序号。未拆分的不填，拆分的报文需要连续编号，不得跳号。')
    returnStatus: Str_min1_max10 = Field(description='回执状态')
    returnTime: Str_len17 = Field(description='回执时间,格式YYYYMMDDhhmmssfff')
    returnInfo: Str_max1000 = Field(description='回执信息（如:退单原因）')


_DepartureReturn = DepartureReturn


class CEB510Message(CebMessage):
    """物流离境单回执"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB510Message', attributes=('guid', 'version'), children={'DepartureReturn': _DepartureReturn}, repeated=frozenset({'DepartureReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    DepartureReturn: list[_DepartureReturn] = Field(min_length=1, max_length=100, description='物流离境回执类')


class InventoryHead(CebModel):
    """出口清单表头类"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InventoryHead', collapse=frozenset({'trafMode', 'POD', 'freight', 'insuredFee', 'wrapType', 'packNo', 'grossWeight', 'netWeight'}))

    guid: Str_len36 = Field(description='36位系统唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='申报类型:1-新增;2-变更;3-删除，默认为1')
    appTime: Str_len14 = Field(description='业务时间,格式:YYYYMMDDhhmmss')
    appStatus: Str_len1 = Field(description='企业报送状态。1-暂存,2-申报。')
    customsCode: Str_len4 = Field(description='申报海关代码,办理通关手续的4位海关编号')
    ebpCode: Str_max18 = Field(description='电商平台的海关登记编号')
    ebpName: Str_max100 = Field(description='电商平台名称')
    orderNo: Str_max60 = Field(description='订单编号,电商平台原始订单编号')
    logisticsCode: Str_max18 = Field(description='物流企业代码,10位海关代码或者18位信用代码')
    logisticsName: Str_max100 = Field(description='物流企业名称')
    logisticsNo: Str_max32 = Field(description='物流运单编号')
    copNo: Str_max30 = Field(description='企业唯一编号')
    preNo: Str_len18 | None = Field(default=None, description='预录入编号-电子口岸标识单证的编号')
    invtNo: Str_max20 | None = Field(default=None, description='清单编号')
    ieFlag: Str_len1 = Field(description='进出口标志,I/E标志')
    portCode: Str_len4 = Field(description='出口口岸海关代码,海关参数代码')
    ieDate: Str_len8 = Field(description='出口日期 YYYYMMDD')
    statisticsFlag: Str_len1 = Field(description='申报业务类型：A-简化申报;B-汇总申报；若采用A简化申报，则要求商品不涉许可证、不涉出口关税、不涉及出口退税。同时商品编码按税则表前4位填写')
    agentCode: Str_max18 = Field(description='报关企业代码 10位海关代码或者18位信用代码')
    agentName: Str_max100 = Field(description='报关企业名称')
    ebcCode: Str_max18 = Field(description='收发货人代码。 10位海关代码或者18位信用代码')
    ebcName: Str_max100 = Field(description='收发货人名称。 电商企业的海关注册登记名称。')
    ownerCode: Str_max18 = Field(description='生产销售单位代码。 实际发货人的企业的10位海关代码或者18位信用代码')
    ownerName: Str_max100 = Field(description='生产销售单位名称。 实际发货人的企业名称。')
    iacCode: Str_max18 | None = Field(default=None, description='区内企业代码 特殊区域模式必填')
    iacName: Str_max100 | None = Field(default=None, description='特殊区域内仓储企业代码，特殊区域出口模式必填')
    emsNo: Str_max30 | None = Field(default=None, description='账册编号')
    tradeMode: Str_len4 = Field(description='贸易方式 一般出口为9610,特殊区域出口为1210/1239')
    trafMode: Str_len1_c = Field(description='运输方式代码 海关参数代码')
    trafName: Str_max100 | None = Field(default=None, description='运输工具名称。')
    voyageNo: Str_max32 | None = Field(default=None, description='航班航次号,物流企业提供')
    billNo: Str_max37 | None = Field(default=None, description='提运单号,物流企业提供')
    totalPackageNo: Str_max37 | None = Field(default=None, description='总包号。 物流企业对于一个提运单下含有多个大包的托盘编号（邮件为邮袋号）。')
    loctNo: Str_max10 | None = Field(default=None, description='监管场所代码')
    licenseNo: Str_max19 | None = Field(default=None, description='许可证号')
    country: Str_len3 = Field(description='运抵国（地区）,海关参数代码')
    POD: Str_min3_max4_c = Field(description='指运港代码 海关参数代码')
    freight: Dec_t19_f5 = Field(description='运费')
    fCurrency: Str_len3 = Field(description='运费币制 海关参数代码')
    fFlag: Literal["3"] = Field(description='运费标志 海关参数代码 3-总价')
    insuredFee: Dec_t19_f5 = Field(description='保费')
    iCurrency: Str_len3 = Field(description='保费币制 海关参数代码')
    iFlag: Literal["3"] = Field(description='保费标志 海关参数代码 3-总价')
    wrapType: Str_len1_c = Field(description='包装种类代码')
    packNo: Int_t9 = Field(description='件数(包裹数)')
    grossWeight: Dec_t19_f5 = Field(description='毛重（千克）')
    netWeight: Dec_t19_f5 = Field(description='净重（千克）')
    note: Str_max1000 | None = Field(default=None, description='备注')


_InventoryHead = InventoryHead


class InventoryList(CebModel):
    """出口清单表体项类"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InventoryList', collapse=frozenset({'gnum', 'gmodel', 'barCode', 'qty', 'qty1', 'qty2', 'price', 'totalPrice'}))

    gnum: Int_t5 = Field(description='商品项号,从1开始连续序号')
    itemNo: Str_max20 = Field(description='企业商品编号')
    itemRecordNo: Str_max30 | None = Field(default=None, description='保税出口模式必填')
    itemName: Str_max250 | None = Field(default=None, description='企业自定义的商品名称，汇总后用于退税品名')
    gcode: Str_len10 = Field(description='海关商品编码（10位）')
    gname: Str_max250 = Field(description='商品名称')
    gmodel: Str_max250_c = Field(description='规格型号')
    barCode: Str_max50_c = Field(description='条形码')
    country: Str_len3 = Field(description='最终目的国（地区）代码')
    currency: Str_len3 = Field(description='币制代码')
    qty: Dec_t19_f5 = Field(description='申报数量')
    qty1: Dec_t19_f5 = Field(description='法定数量')
    qty2: Dec_t19_f5 | None = Field(default=None, description='第二数量')
    unit: Str_len3 = Field(description='申报计量单位,海关参数代码')
    unit1: Str_len3 = Field(description='法定计量单位,海关参数代码')
    unit2: Str_max3 | None = Field(default=None, description='第二计量单位,海关参数代码')
    price: Dec_t19_f5 = Field(description='单价')
    totalPrice: Dec_t19_f5 = Field(description='总价')
    note: Str_max1000 | None = Field(default=None, description='备注')


_InventoryList = InventoryList


class Inventory(CebModel):
    """出口清单类"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Inventory', children={'InventoryHead': _InventoryHead, 'InventoryList': _InventoryList}, repeated=frozenset({'InventoryList'}))

    InventoryHead: _InventoryHead = Field(description='出口清单表头类')
    InventoryList: list[_InventoryList] = Field(min_length=1, max_length=100, description='出口清单表体项类')


_Inventory = Inventory


class CEB603Message(CebMessage):
    """申报清单数据"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB603Message', attributes=('guid', 'version'), children={'Inventory': _Inventory, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'Inventory', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Inventory: list[_Inventory] = Field(min_length=1, max_length=100, description='出口清单类')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class InventoryReturn(CebModel):
    """出口清单回执类"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InventoryReturn')

    guid: Str_len36 = Field(description='36位系统唯一序号（英文字母大写）')
    agentCode: Str_max18 = Field(description='申报企业代码')
    copNo: Str_max30 = Field(description='企业内部生成标识清单的编号')
    preNo: Str_len18 = Field(description='预录入编号-电子口岸标识单证的编号')
    invtNo: Str_max20 = Field(description='出境清单编号,海关审结生成标识清单的编号（4位关区+4位年+1位进出口标记+9位流水号）')
    ebcCode: Str_max18 = Field(description='收发货人代码-电商（发货）企业的海关注册登记编号(10位海关编码或18位统一社会信用代码)')
    ebpCode: Str_max18 = Field(description='电商平台代码-电商平台的海关登记编号')
    orderNo: Str_max60 = Field(description='订单编号-交易平台的订单编号，同一交易平台的订单编号应唯一。订单编号长度不能超过60位。')
    statisticsFlag: Str_len1 = Field(description='申报业务类型-A-简化申报;B-汇总申报；若采用A简化申报，则要求商品不涉许可证、不涉出口关税、不涉及出口退税。同时商品编码前4位为税则表填写')
    returnStatus: Str_min1_max10 = Field(description='操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/120海关入库/300人工审核/399海关审结/800放行/899结关等,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='回执时间,格式YYYYMMDDhhmmssfff')
    returnInfo: Str_max1000 = Field(description='回执信息（如:退单原因）')


_InventoryReturn = InventoryReturn


class CEB604Message(CebMessage):
    """申报清单数据回执"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB604Message', attributes=('guid', 'version'), children={'InventoryReturn': _InventoryReturn}, repeated=frozenset({'InventoryReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    InventoryReturn: list[_InventoryReturn] = Field(min_length=1, max_length=100, description='出口清单回执类')


class InvtCancel(CebModel):
    """撤销申请单类"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtCancel', collapse=frozenset({'reason'}))

    guid: Str_len36 = Field(description='36位系统唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='申报类型:1-新增;2-变更;3-删除，默认为1')
    appTime: Str_len14 = Field(description='业务时间,格式:YYYYMMDDhhmmss')
    appStatus: Str_len1 = Field(description='企业报送状态。1-暂存,2-申报。')
    customsCode: Str_len4 = Field(description='申报海关代码')
    copNo: Str_max30 = Field(description='企业内部生成标识清单的编号')
    preNo: Str_len18 | None = Field(default=None, description='预录入编号-电子口岸标识单证的编号')
    invtNo: Str_max20 = Field(description='出境清单编号，海关审结生成标识清单的编号（4位关区+4位年+1位进出口标记+9位流水号）')
    reason: Str_max1000_c = Field(description='原因')
    agentCode: Str_max18 = Field(description='申报单位代码,10位海关代码或者18位信用代码')
    agentName: Str_max100 = Field(description='申报单位名称')
    ebcCode: Str_max18 = Field(description='收发货人代码。 电商企业的10位海关代码或者18位信用代码。')
    ebcName: Str_max100 = Field(description='收发货人名称。 电商企业的海关注册登记名称。')
    note: Str_max1000 | None = Field(default=None, description='备注')


_InvtCancel = InvtCancel


class CEB605Message(CebMessage):
    """撤销申请单数据"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB605Message', attributes=('guid', 'version'), children={'InvtCancel': _InvtCancel, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'InvtCancel', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    InvtCancel: list[_InvtCancel] = Field(min_length=1, max_length=100, description='撤销申请单类')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class InvtCancelReturn(CebModel):
    """撤销申请单回执类"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtCancelReturn')

    guid: Str_len36 = Field(description='36位系统唯一序号（英文字母大写）')
    agentCode: Str_max18 = Field(description='申报企业代码')
    copNo: Str_max30 = Field(description='企业内部生成标识清单的编号')
    preNo: Str_len18 = Field(description='预录入编号-电子口岸标识单证的编号')
    invtNo: Str_max20 = Field(description='出境清单编号,海关审结生成标识清单的编号（4位关区+4位年+1位进出口标记+9位流水号）')
    returnStatus: Str_min1_max10 = Field(description='操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/399海关审结等）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='回执时间,格式YYYYMMDDhhmmssfff')
    returnInfo: Str_max1000 = Field(description='回执信息（如:退单原因）')


_InvtCancelReturn = InvtCancelReturn


class CEB606Message(CebMessage):
    """撤销申请单回执"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB606Message', attributes=('guid', 'version'), children={'InvtCancelReturn': _InvtCancelReturn}, repeated=frozenset({'InvtCancelReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    InvtCancelReturn: list[_InvtCancelReturn] = Field(min_length=1, max_length=100, description='撤销申请单回执类')


class WayBillHead(CebModel):
    """清单总分单数据"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='WayBillHead', collapse=frozenset({'trafMode', 'trafName', 'voyageNo', 'grossWeight', 'msgCount', 'msgSeqNo'}))

    guid: Str_len36 = Field(description='36位系统唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='申报类型:1-新增;2-变更;3-删除，默认为1')
    appTime: Str_len14 = Field(description='业务时间,格式:YYYYMMDDhhmmss')
    appStatus: Str_len1 = Field(description='企业报送状态。1-暂存,2-申报,默认为1。填写2时需要业务加签申报即Signature节点必须填写.')
    customsCode: Str_len4 = Field(description='申报海关代码,办理通关手续的4位海关编号')
    copNo: Str_max30 = Field(description='企业唯一编号-企业生成标识唯一编号')
    preNo: Str_len18 | None = Field(default=None, description='预录入编号-电子口岸标识单证的编号')
    agentCode: Str_max18 = Field(description='申报企业代码-申报单位的海关注册登记编号或统一社会信用代码')
    agentName: Str_max100 = Field(description='申报企业名称')
    loctNo: Str_max10 | None = Field(default=None, description='监管场所代码')
    trafMode: Str_len1_c = Field(description='运输方式代码,海关参数代码')
    trafName: Str_max100_c = Field(description='运输工具名称')
    voyageNo: Str_max32_c = Field(description='航班航次号,物流企业提供')
    billNo: Str_max37 = Field(description='提运单号,物流企业提供')
    domesticTrafNo: Str_max100 | None = Field(default=None, description='境内运输工具编号 运往海关监管场所的运输工具编号，例如车牌号')
    grossWeight: Dec_t19_f5 = Field(description='毛重（千克）')
    logisticsCode: Str_max18 = Field(description='物流企业代码,10位海关代码或者18位信用代码')
    logisticsName: Str_max100 = Field(description='物流企业名称')
    msgCount: Int_t9 = Field(description='拆分后的报文数 未拆分的不填，拆分的填实际数量。')
    msgSeqNo: Int_t9 = Field(description='报文序号 以1开始的报文顺序号。未拆分的不填，拆分的报文需要连续编号，不得跳号。')
    note: Str_max1000 | None = Field(default=None, description='备注')


_WayBillHead = WayBillHead


class WayBillList(CebModel):
    """提运单表体项类"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='WayBillList', collapse=frozenset({'gnum'}))

    gnum: Int_t5 = Field(description='项号,从1开始连续序号')
    totalPackageNo: Str_max60 | None = Field(default=None, description='总包号。 物流企业对于一个提运单下含有多个大包的托盘编号（邮件为邮袋号）。')
    logisticsNo: Str_max32 = Field(description='物流运单编号')
    invtNo: Str_max20 | None = Field(default=None, description='原出口清单编号')
    note: Str_max1000 | None = Field(default=None, description='备注')


_WayBillList = WayBillList


class WayBill(CebModel):
    """清单总分单"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='WayBill', children={'WayBillHead': _WayBillHead, 'WayBillList': _WayBillList}, repeated=frozenset({'WayBillList'}))

    WayBillHead: _WayBillHead = Field(description='清单总分单数据')
    WayBillList: list[_WayBillList] = Field(min_length=1, description='提运单表体项类')


_WayBill = WayBill


class CEB607Message(CebMessage):
    """清单总分单数据"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB607Message', attributes=('guid', 'version'), children={'WayBill': _WayBill, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'WayBill', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    WayBill: list[_WayBill] = Field(min_length=1, max_length=100, description='清单总分单')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class WayBillReturn(CebModel):
    """清单总分单回执"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='WayBillReturn', collapse=frozenset({'msgSeqNo'}))

    guid: Str_len36 = Field(description='36位系统唯一序号（英文字母大写）')
    agentCode: Str_max18 = Field(description='申报企业代码-10位海关代码或者18位信用代码')
    logisticsCode: Str_max18 = Field(description='物流企业代码,10位海关代码或者18位信用代码')
    copNo: Str_max30 = Field(description='企业生成标识唯一编号')
    preNo: Str_len18 = Field(description='预录入编号-电子口岸标识单证的编号')
    billNo: Str_max37 = Field(description='提运单号,提单或总运单的编号')
    msgSeqNo: Int_t9 = Field(description='报文序号-当前报文序号。以1开始的报文顺序号，未拆分的不填，拆分的报文需要连续编号，不得跳号。')
    returnStatus: Str_min1_max10 = Field(description='操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/399海关审结等）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='回执时间,格式YYYYMMDDhhmmssfff')
    returnInfo: Str_max1000 = Field(description='回执信息（如:退单原因）')


_WayBillReturn = WayBillReturn


class CEB608Message(CebMessage):
    """清单总分单回执"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB608Message', attributes=('guid', 'version'), children={'WayBillReturn': _WayBillReturn}, repeated=frozenset({'WayBillReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    WayBillReturn: list[_WayBillReturn] = Field(min_length=1, max_length=100, description='清单总分单回执')


class InvtRefundHead(CebModel):
    """退货申请单表头"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtRefundHead')

    guid: Str_len36 = Field(description='系统唯一序号-企业系统生成36位唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='报送类型-企业报送类型。1-新增 2-变更 3-删除。')
    appTime: Str_len14 = Field(description='报送时间-企业报送时间。格式:YYYYMMDDhhmmss。')
    appStatus: Str_len1 = Field(description='报送状态-企业报送状态。1-暂存,2-申报。')
    customsCode: Str_len4 = Field(description='4位海关编号。《海关关区代码》')
    loctNo: Str_max10 | None = Field(default=None, description='同一申报地海关下有多个跨境电子商务的监管场所,需要填写区分。')
    ebpCode: Str_max18 = Field(description='电商平台代码-电商平台的海关注册登记编号')
    ebpName: Str_max100 = Field(description='电商平台名称-电商平台的海关注册登记名称')
    ebcCode: Str_max18 = Field(description='电商企业代码-电商企业的海关注册登记编号(10位海关编码或18位统一社会信用代码)')
    ebcName: Str_max100 = Field(description='电商企业名称-电商企业的海关注册登记名称，对应清单的收发货人')
    logisticsNo: Str_max80 = Field(description='物流企业运单的包裹面单号，同一物流企业的运单编号在6个月内不重复，可以与原出口运单号一致，也可以是进境运单号')
    logisticsCode: Str_max18 = Field(description='物流企业的海关注册登记编号或统一社会信用代码，可以与原物流企业一致，也可以是进境物流企业。')
    logisticsName: Str_max100 = Field(description='物流企业的登记名称')
    coElNo: Str_max30 = Field(description='企业生成标识唯一编号')
    preNo: Str_max18 | None = Field(default=None, description='电子口岸标识唯一编号（B+8位年月日+9位流水号）')
    invtNo: Str_max20 = Field(description='原出口清单号')
    tradeMode: Str_len4 | None = Field(default=None, description='贸易方式 一般出口为9610,特殊区域出口为1210/1239')
    agentCode: Str_max18 = Field(description='申报单位的海关登记编号，可以与原申报企业一致，也可以是进境申报企业。')
    agentName: Str_max100 = Field(description='申报单位的海关登记名称')
    billNo: Str_max37 = Field(description='提单或总运单的编号，如无则填写物流运单号')
    ieFlag: Str_max1 = Field(description='I-进口,E-出口,出口退货填写I。')
    trafMode: Str_max1 = Field(description='海关标准的参数代码 《JGS-20 海关业务代码集》- 运输方式代码')
    trafName: Str_max100 = Field(description='货物进出境的运输工具的名称或运输工具编号。填报内容应与运输部门向海关申报的载货清单所列相应内容一致。')
    portCode: Str_max4 = Field(description='商品实际出我国关境口岸海关的关区代码 JGS/T 18《海关关区代码》')
    reason: Str_max500 = Field(description='退货原因')
    country: Str_max3 = Field(description='参照《JGS-20 海关业务代码集》的国家（地区）代码表，不能为中国')
    voyageNo: Str_max32 = Field(description='货物进出境的运输工具的航次编号。')
    note: Str_max500 | None = Field(default=None, description='备注')


_InvtRefundHead = InvtRefundHead


class InvtRefundList(CebModel):
    """退货申请单商品表体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtRefundList', collapse=frozenset({'gnum', 'qty', 'qty1', 'qty2'}))

    gnum: Int_t4 = Field(description='对应原申报清单表体项号（退货项序号）')
    gcode: Str_max10 = Field(description='与原申报清单一致')
    gname: Str_max250 = Field(description='与原申报清单一致')
    gmodel: Str_max250 = Field(description='与原申报清单一致。')
    qty: Dec_t19_f5 = Field(description='不大于原申报清单申报数量，')
    qty1: Dec_t19_f5 = Field(description='不大于原清单法定第一数量')
    unit: Str_len3 = Field(description='与原申报清单保持一致。')
    unit1: Str_len3 = Field(description='海关标准的参数代码 《JGS-20 海关业务代码集》- 计量单位代码，与原申报清单保持一致。')
    qty2: Dec_t19_f5 | None = Field(default=None, description='不大于原申报清单法定第二数量')
    unit2: Str_len3 | None = Field(default=None, description='海关标准的参数代码 《JGS-20 海关业务代码集》- 计量单位代码，与原申报清单保持一致。')
    note: Str_max500 | None = Field(default=None, description='备注')


_InvtRefundList = InvtRefundList


class InvtRefund(CebModel):
    """退货申请单数据实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtRefund', children={'InvtRefundHead': _InvtRefundHead, 'InvtRefundList': _InvtRefundList}, repeated=frozenset({'InvtRefundList'}))

    InvtRefundHead: _InvtRefundHead = Field(description='退货申请单表头')
    InvtRefundList: list[_InvtRefundList] = Field(min_length=1, max_length=100, description='退货申请单商品表体')


_InvtRefund = InvtRefund


class CEB213Message(CebMessage):
    """退货申请单数据报文（电商企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB213Message', attributes=('guid', 'version'), children={'InvtRefund': _InvtRefund, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'InvtRefund', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    InvtRefund: list[_InvtRefund] = Field(min_length=1, max_length=100, description='退货申请单数据实体')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class RefundReturn(CebModel):
    """退货申请单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='RefundReturn')

    guid: Str_len36 = Field(description='系统唯一序号-企业系统生成36位唯一序号（英文字母大写）')
    ebpCode: Str_max18 | None = Field(default=None, description='电商平台的海关注册登记编号；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台标识编号为准')
    ebcCode: Str_max18 | None = Field(default=None, description='电商企业的海关注册登记编号')
    agentCode: Str_max18 = Field(description='申报单位的海关注册登记编号')
    coElNo: Str_max30 = Field(description='企业内部标识单证的编号')
    preNo: Str_max18 | None = Field(default=None, description='电子口岸标识单证的编号')
    invtNo: Str_max20 = Field(description='申请退货的原始清单编号')
    returnStatus: Str_max10 = Field(description='操作结果（1暂存/2申报中/3发送海关成功/4发送海关失败/100海关退单/120海关入库/300待人工审核/500查验/505移交/600挂起/800放行）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='操作时间(格式:YYYYMMDDhhmmssSSS)。')
    returnInfo: Str_max1000 = Field(description='回执信息')


_RefundReturn = RefundReturn


class CEB214Message(CebMessage):
    """退货申请单回执"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB214Message', attributes=('guid', 'version'), children={'RefundReturn': _RefundReturn}, repeated=frozenset({'RefundReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    RefundReturn: list[_RefundReturn] = Field(min_length=1, max_length=100, description='退货申请单回执实体')


class InvtRefundDetail(CebModel):
    """理货明细单实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtRefundDetail')

    guid: Str_len36 = Field(description='系统唯一序号-企业系统生成36位唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='报送类型-企业报送类型。1-新增 2-变更 3-删除。')
    appTime: Str_len14 = Field(description='报送时间-企业报送时间。格式:YYYYMMDDhhmmss。')
    appStatus: Str_len1 = Field(description='报送状态-企业报送状态。1-暂存,2-申报。')
    customsCode: Str_len4 = Field(description='申报地海关代码-4位海关编号。《海关关区代码》')
    operatorCode: Str_max18 = Field(description='监管场所经营人在海关注册登记的编号，邮政运输用邮政物流企业')
    operatorName: Str_max100 = Field(description='物流企业的海关注册登记编号或统一社会信用代码，可以与原物流企业一致，也可以是进境物流企业。')
    logisticsCode: Str_max18 = Field(description='监管场所经营人在海关注册登记的名称，邮政运输用邮政物流企业')
    logisticsName: Str_max100 = Field(description='物流企业的登记名称')
    logisticsNo: Str_max80 = Field(description='物流企业运单的包裹面单号，可以与原出口原单号一致，也可以是进境运单号。')
    invtNo: Str_max20 | None = Field(default=None, description='原出口清单号')
    coElNo: Str_max20 = Field(description='企业内部标识单证的编号')
    preNo: Str_max18 | None = Field(default=None, description='电子口岸标识单证的编号')
    billNo: Str_max37 = Field(description='提单或总运单的编号，如无则填物流运单号。')
    ieFlag: Str_len1 = Field(description='I-进口,E-出口，出口退货填I')
    trafMode: Str_len1 = Field(description='海关标准的参数代码 《JGS-20 海关业务代码集》- 运输方式代码')
    trafName: Str_max100 = Field(description='货物进出境的运输工具的名称或运输工具编号。填报内容应与运输部门向海关申报的载货清单所列相应内容一致。')
    voyageNo: Str_max32 = Field(description='货物进出境的运输工具的航次编号。')
    location: Str_max250 | None = Field(default=None, description='卸货堆货的仓储位置')
    note: Str_max250 | None = Field(default=None, description='备注')


_InvtRefundDetail = InvtRefundDetail


class CEB215Message(CebMessage):
    """理货明细单（运抵）数据报文"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB215Message', attributes=('guid', 'version'), children={'InvtRefundDetail': _InvtRefundDetail, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'InvtRefundDetail', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    InvtRefundDetail: list[_InvtRefundDetail] = Field(min_length=1, max_length=100, description='理货明细单实体')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class InvtRefundDetailReturn(CebModel):
    """理货明细单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtRefundDetailReturn')

    guid: Str_len36 = Field(description='系统唯一序号-企业系统生成36位唯一序号（英文字母大写）')
    operatorCode: Str_max18 = Field(description='监管场所经营人在海关注册登记的编号，邮政运输用邮政物流企业')
    logisticsCode: Str_max18 = Field(description='监管场所经营人在海关注册登记的名称，邮政运输用邮政物流企业')
    logisticsNo: Str_max80 = Field(description='物流企业运单的包裹面单号，可以与原出口原单号一致，也可以是进境运单号。')
    coElNo: Str_max30 = Field(description='企业内部标识单证的编号')
    preNo: Str_max18 | None = Field(default=None, description='电子口岸标识单证的编号')
    returnStatus: Str_max10 = Field(description='操作结果（1暂存/2申报中/3发送海关成功/4发送海关失败/100海关退单/399海关审结）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='操作时间(格式:YYYYMMDDhhmmssSSS)。')
    returnInfo: Str_max1000 = Field(description='回执信息')


_InvtRefundDetailReturn = InvtRefundDetailReturn


class CEB216Message(CebMessage):
    """理货明细单回执"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB216Message', attributes=('guid', 'version'), children={'InvtRefundDetailReturn': _InvtRefundDetailReturn}, repeated=frozenset({'InvtRefundDetailReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    InvtRefundDetailReturn: list[_InvtRefundDetailReturn] = Field(min_length=1, max_length=100, description='理货明细单回执实体')


class SummaryApplyHead(CebModel):
    """汇总申请单表头"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='SummaryApplyHead', collapse=frozenset({'msgCount', 'msgSeqNo'}), defaults={'appStatus': '2'})

    guid: Str_len36 = Field(description='系统唯一序号-企业系统生成36位唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='报送类型-企业报送类型。1-新增 2-变更 3-删除。')
    appTime: Str_len14 = Field(description='报送时间-企业报送时间。格式:YYYYMMDDhhmmss。')
    appStatus: Str_len1 = Field(description='报送状态-企业报送状态。1-暂存,2-申报。')
    customsCode: Str_len4 = Field(description='申报地海关代码-4位海关编号。《海关关区代码》')
    copNo: Str_max30 = Field(description='企业生成标识唯一编号')
    preNo: Str_max18 | None = Field(default=None, description='预录入编号-电子口岸标识单证的编号')
    sumNo: Str_max18 | None = Field(default=None, description='汇总申请编号-海关反馈生成的汇总申请编号')
    agentCode: Str_max18 = Field(description='申报单位代码-申报单位的10位海关代码或者18位信用代码')
    agentName: Str_max100 = Field(description='申报单位名称-申报单位的海关备案名称')
    ebcCode: Str_max18 = Field(description='收发货人代码-电商企业的10位海关代码或者18位信用代码')
    ebcName: Str_max100 = Field(description='收发货人名称-电商企业的海关备案名称')
    declAgentCode: Str_max18 = Field(description='报关单位代码-报关单申报单位的10位海关代码或者18位信用代码')
    declAgentName: Str_max100 = Field(description='报关单位名称-报关单申报单位的海关备案名称')
    startTime: Str_len14 | None = Field(default=None, description='汇总开始时间-汇总指定时间范围的清单，格式:YYYYMMDDhhmmss。填写须成对，结束时间须大于等于开始时间。如指定时间范围将忽略表体数据。')
    endTime: Str_len14 | None = Field(default=None, description='汇总开始时间-汇总指定时间范围的清单，格式:YYYYMMDDhhmmss。填写须成对，结束时间须大于等于开始时间。如指定时间范围将忽略表体数据。')
    loctNo: Str_max10 | None = Field(default=None, description='监管场所代码-针对同一申报地海关下有多个跨境电子商务的监管场所,需要填写区分')
    summaryFlag: Str_len1 = Field(description='收发货人汇总标志-汇总标志 1:按收发货人单一汇总，2:按收发货人和生产销售单位汇总')
    itemNameFlag: Str_len1 = Field(description='按商品名汇总标志-按企业商品名汇总标志,填1,按清单原始商品名相同汇总，不填则按商品综合分类名汇总')
    msgCount: Int_t9 = Field(description='报文总数-拆分后的报文总数。未拆分的不填，拆分的填实际数量。')
    msgSeqNo: Int_t9 = Field(description='报文序号-当前报文序号。以1开始的报文顺序号，未拆分的不填，拆分的报文需要连续编号，不得跳号。')
    note: Str_max1000 | None = Field(default=None, description='备注')


_SummaryApplyHead = SummaryApplyHead


class SummaryApplyList(CebModel):
    """汇总申请单数据表体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='SummaryApplyList')

    invtNo: Str_max20 = Field(description='清单编号')


_SummaryApplyList = SummaryApplyList


class SummaryApply(CebModel):
    """汇总申请单数据实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='SummaryApply', children={'SummaryApplyHead': _SummaryApplyHead, 'SummaryApplyList': _SummaryApplyList}, repeated=frozenset({'SummaryApplyList'}))

    SummaryApplyHead: _SummaryApplyHead = Field(description='汇总申请单表头')
    SummaryApplyList: list[_SummaryApplyList] = Field(default_factory=list, description='汇总申请单数据表体')


_SummaryApply = SummaryApply


class CEB701Message(CebMessage):
    """汇总申请单数据报文"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB701Message', attributes=('guid', 'version'), children={'SummaryApply': _SummaryApply, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'SummaryApply', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    SummaryApply: list[_SummaryApply] = Field(min_length=1, max_length=100, description='汇总申请单数据实体')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class SummaryReturn(CebModel):
    """汇总申请单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='SummaryReturn', collapse=frozenset({'msgSeqNo'}))

    guid: Str_len36 = Field(description='系统唯一序号-电子口岸生成36位唯一序号（英文字母大写）')
    agentCode: Str_max18 = Field(description='申报企业代码-申报单位的10位海关代码或者18位信用代码')
    ebcCode: Str_max18 = Field(description='收发货人代码-电商企业的10位海关代码或者18位信用代码')
    copNo: Str_max30 = Field(description='企业唯一编号-企业生成标识唯一编号')
    preNo: Str_len18 = Field(description='预录入编号-电子口岸标识单证的编号')
    sumNo: Str_len18 | None = Field(default=None, description='汇总申请编号-海关反馈生成的汇总申请编号')
    msgSeqNo: Int_t9 = Field(description='报文序号-当前报文序号。以1开始的报文顺序号，未拆分的不填，拆分的报文需要连续编号，不得跳号。')
    returnStatus: Str_min1_max10 = Field(description='回执状态-操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/399海关审结等）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='回执时间-操作时间(格式:yyyyMMddHHmmssfff)')
    returnInfo: Str_max1000 = Field(description='回执信息-备注（如不通过原因）')


_SummaryReturn = SummaryReturn


class CEB702Message(CebMessage):
    """汇总申请单回执报文"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB702Message', attributes=('guid', 'version'), children={'SummaryReturn': _SummaryReturn}, repeated=frozenset({'SummaryReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    SummaryReturn: list[_SummaryReturn] = Field(min_length=1, max_length=100, description='汇总申请单回执实体')


class SummaryResultHead(CebModel):
    """汇总结果单表头"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='SummaryResultHead', collapse=frozenset({'grossWeight', 'netWeight', 'msgCount', 'msgSeqNo'}))

    guid: Str_len36 = Field(description='系统唯一序号-企业系统生成36位唯一序号（英文字母大写）')
    customsCode: Str_len4 = Field(description='申报地海关代码-4位海关编号。《海关关区代码》')
    sumNo: Str_len18 = Field(description='汇总申请编号-海关生成的汇总申请编号')
    opDate: Str_len17 = Field(description='汇总处理时间-汇总处理时间，格式:YYYYMMDDhhmmssfff。')
    declSeqNo: Str_len18 = Field(description='汇总统一编号-海关生成唯一对应报关单')
    decTmpNo: Str_len18 | None = Field(default=None, description='报关单暂存编号-电子口岸报关单暂存编号')
    decPreNo: Str_len18 | None = Field(default=None, description='报关单预录入编号-电子口岸报关单预录入编号')
    entryId: Str_len18 | None = Field(default=None, description='报关单编号-海关生成的报关单编号')
    decState: Str_min1_max3 = Field(description='报关单状态-报关单状态（具体返回值由海关确定）')
    agentCode: Str_max18 = Field(description='申报企业代码-申报单位的海关登记编号')
    agentName: Str_max100 = Field(description='申报企业名称-申报单位的海关登记名称')
    ebcCode: Str_max18 = Field(description='收发货人代码-收发货人（电商企业）的10位海关代码或者18位信用代码')
    ebcName: Str_max100 = Field(description='收发货人名称-收发货人（电商企业）的海关备案名称')
    declAgentCode: Str_max18 = Field(description='报关单位代码-后续报关单申报单位的海关注册登记编号或统一社会信用代码')
    declAgentName: Str_max100 = Field(description='报关单位名称-后续报关单申报单位的登记名称')
    grossWeight: Dec_t19_f5 = Field(description='毛重（公斤）-货物及其包装材料的重量之和，计量单位为千克')
    netWeight: Dec_t19_f5 = Field(description='净重（公斤）-货物的毛重减去外包装材料后的重量，即货物本身的实际重量，计量单位为千克')
    msgCount: Int_t9 = Field(description='报文总数-拆分后的报文总数。未拆分的不填，拆分的填实际数量。')
    msgSeqNo: Int_t9 = Field(description='报文序号-当前报文序号，以1开始的报文顺序号。未拆分的不填，拆分的报文需要连续编号，不得跳号。')
    note: Str_max1000 | None = Field(default=None, description='备注')


_SummaryResultHead = SummaryResultHead


class SummaryResultList(CebModel):
    """汇总结果单表体(允许可空)"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='SummaryResultList', collapse=frozenset({'gseqno', 'gnum'}))

    invtNo: Str_max20 = Field(description='清单编号')
    logisticsNo: Str_max32 = Field(description='物流运单编号')
    gseqno: Int_t5 = Field(description='汇总结果单的顺序号')
    gnum: Int_t5 = Field(description='清单商品项的序号')
    gcode: Str_len10 = Field(description='清单商品编码')


_SummaryResultList = SummaryResultList


class SummaryResult(CebModel):
    """汇总结果单数据实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='SummaryResult', children={'SummaryResultHead': _SummaryResultHead, 'SummaryResultList': _SummaryResultList}, repeated=frozenset({'SummaryResultList'}))

    SummaryResultHead: _SummaryResultHead = Field(description='汇总结果单表头')
    SummaryResultList: list[_SummaryResultList] = Field(default_factory=list, description='汇总结果单表体(允许可空)')


_SummaryResult = SummaryResult


class CEB792Message(CebMessage):
    """汇总结果单数据报文"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB792Message', attributes=('guid', 'version'), children={'SummaryResult': _SummaryResult}, repeated=frozenset({'SummaryResult'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    SummaryResult: list[_SummaryResult] = Field(min_length=1, max_length=100, description='汇总结果单数据实体')


MESSAGES: dict[str, type[CebMessage]] = {
    "CEB303Message": CEB303Message,
    "CEB304Message": CEB304Message,
    "CEB403Message": CEB403Message,
    "CEB404Message": CEB404Message,
    "CEB505Message": CEB505Message,
    "CEB506Message": CEB506Message,
    "CEB507Message": CEB507Message,
    "CEB508Message": CEB508Message,
    "CEB509Message": CEB509Message,
    "CEB510Message": CEB510Message,
    "CEB603Message": CEB603Message,
    "CEB604Message": CEB604Message,
    "CEB605Message": CEB605Message,
    "CEB606Message": CEB606Message,
    "CEB607Message": CEB607Message,
    "CEB608Message": CEB608Message,
    "CEB213Message": CEB213Message,
    "CEB214Message": CEB214Message,
    "CEB215Message": CEB215Message,
    "CEB216Message": CEB216Message,
    "CEB701Message": CEB701Message,
    "CEB702Message": CEB702Message,
    "CEB792Message": CEB792Message,
}
