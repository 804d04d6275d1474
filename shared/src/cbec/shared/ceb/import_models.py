# Generated from ceb-import-202205.xsd by cbec.shared.ceb.codegen; do not edit.
# Regenerate: uv run --frozen --no-sync python -m cbec.shared.ceb.codegen
# ruff: noqa: E501
# fmt: off
"""Models of the import messages of the customs CBEC standard (202205 edition).

Field names, nesting, optionality and facets follow the schema element by element; see
:mod:`cbec.shared.ceb.codegen` for the mapping. Usage::

    from cbec.shared.ceb import parse_message

    message = parse_message(xml_bytes)
"""

from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from cbec.shared.ceb.types import (
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
    "BaseSubscribe",
    "BaseTransfer",
    "CEB311Message",
    "CEB312Message",
    "CEB411Message",
    "CEB412Message",
    "CEB511Message",
    "CEB512Message",
    "CEB513Message",
    "CEB514Message",
    "CEB621Message",
    "CEB622Message",
    "CEB623Message",
    "CEB624Message",
    "CEB625Message",
    "CEB626Message",
    "CEB711Message",
    "CEB712Message",
    "CEB816Message",
    "CEB816MessageTax",
    "CEB818Message",
    "CEB818MessageTax",
    "CEB900Message",
    "Delivery",
    "DeliveryHead",
    "DeliveryList",
    "DeliveryReturn",
    "ExtendMessage",
    "Inventory",
    "InventoryHead",
    "InventoryList",
    "InventoryReturn",
    "InvtCancel",
    "InvtCancelReturn",
    "InvtRefund",
    "InvtRefundHead",
    "InvtRefundList",
    "InvtRefundReturn",
    "Logistics",
    "LogisticsHead",
    "LogisticsReturn",
    "LogisticsStatus",
    "LogisticsStatusReturn",
    "MessageReturn",
    "Order",
    "OrderHead",
    "OrderList",
    "OrderReturn",
    "Payment",
    "PaymentHead",
    "PaymentReturn",
    "TaxHeadRd",
    "TaxHeadStatus",
    "TaxListRd",
]

Dec_t19_f5 = Annotated[Decimal, xs_decimal(total_digits=19, fraction_digits=5)]
Int = Annotated[int, xs_int(total_digits=None)]
Int_t9 = Annotated[int, xs_int(total_digits=9)]
Str = Annotated[str, XML_CHARS]
Str_len1 = Annotated[str, Field(min_length=1, max_length=1), XML_CHARS]
Str_len10 = Annotated[str, Field(min_length=10, max_length=10), XML_CHARS]
Str_len14 = Annotated[str, Field(min_length=14, max_length=14), XML_CHARS]
Str_len17 = Annotated[str, Field(min_length=17, max_length=17), XML_CHARS]
Str_len18 = Annotated[str, Field(min_length=18, max_length=18), XML_CHARS]
Str_len3 = Annotated[str, Field(min_length=3, max_length=3), XML_CHARS]
Str_len36 = Annotated[str, Field(min_length=36, max_length=36), XML_CHARS]
Str_len4 = Annotated[str, Field(min_length=4, max_length=4), XML_CHARS]
Str_len6 = Annotated[str, Field(min_length=6, max_length=6), XML_CHARS]
Str_len8 = Annotated[str, Field(min_length=8, max_length=8), XML_CHARS]
Str_max10 = Annotated[str, Field(max_length=10), XML_CHARS]
Str_max100 = Annotated[str, Field(max_length=100), XML_CHARS]
Str_max1000 = Annotated[str, Field(max_length=1000), XML_CHARS]
Str_max15 = Annotated[str, Field(max_length=15), XML_CHARS]
Str_max18 = Annotated[str, Field(max_length=18), XML_CHARS]
Str_max19 = Annotated[str, Field(max_length=19), XML_CHARS]
Str_max20 = Annotated[str, Field(max_length=20), XML_CHARS]
Str_max200 = Annotated[str, Field(max_length=200), XML_CHARS]
Str_max250 = Annotated[str, Field(max_length=250), XML_CHARS]
Str_max255 = Annotated[str, Field(max_length=255), XML_CHARS]
Str_max30 = Annotated[str, Field(max_length=30), XML_CHARS]
Str_max32 = Annotated[str, Field(max_length=32), XML_CHARS]
Str_max37 = Annotated[str, Field(max_length=37), XML_CHARS]
Str_max50 = Annotated[str, Field(max_length=50), XML_CHARS]
Str_max5000 = Annotated[str, Field(max_length=5000), XML_CHARS]
Str_max60 = Annotated[str, Field(max_length=60), XML_CHARS]
Str_max64 = Annotated[str, Field(max_length=64), XML_CHARS]
Str_min1_max10 = Annotated[str, Field(min_length=1, max_length=10), XML_CHARS]
Str_min1_max100 = Annotated[str, Field(min_length=1, max_length=100), XML_CHARS]
Str_min1_max1000 = Annotated[str, Field(min_length=1, max_length=1000), XML_CHARS]
Str_min1_max18 = Annotated[str, Field(min_length=1, max_length=18), XML_CHARS]
Str_min1_max20 = Annotated[str, Field(min_length=1, max_length=20), XML_CHARS]
Str_min1_max200 = Annotated[str, Field(min_length=1, max_length=200), XML_CHARS]
Str_min1_max250 = Annotated[str, Field(min_length=1, max_length=250), XML_CHARS]
Str_min1_max3 = Annotated[str, Field(min_length=1, max_length=3), XML_CHARS]
Str_min1_max30 = Annotated[str, Field(min_length=1, max_length=30), XML_CHARS]
Str_min1_max32 = Annotated[str, Field(min_length=1, max_length=32), XML_CHARS]
Str_min1_max37 = Annotated[str, Field(min_length=1, max_length=37), XML_CHARS]
Str_min1_max50 = Annotated[str, Field(min_length=1, max_length=50), XML_CHARS]
Str_min1_max510 = Annotated[str, Field(min_length=1, max_length=510), XML_CHARS]
Str_min1_max60 = Annotated[str, Field(min_length=1, max_length=60), XML_CHARS]


class OrderHead(CebModel):
    """电子订单表头实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='OrderHead', collapse=frozenset({'goodsValue', 'freight', 'discount', 'taxTotal', 'acturalPaid'}))

    guid: Str_len36 = Field(description='企业系统生成36位唯一序号（英文字母大写）。')
    appType: Str_len1 = Field(description='企业报送类型。1-新增 2-变更 3-删除。默认为1。')
    appTime: Str_len14 = Field(description='企业报送时间。格式:YYYYMMDDhhmmss。mss')
    appStatus: Str_min1_max3 = Field(description='业务状态:1-暂存,2-申报,默认为2。')
    orderType: Str_len1 = Field(description='电子订单类型：I进口')
    orderNo: Str_min1_max60 = Field(description='交易平台的订单编号，同一交易平台的订单编号应唯一。订单编号长度不能超过60位。')
    ebpCode: Str_min1_max18 = Field(description='电商平台的海关注册登记编号；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台标识编号为准。')
    ebpName: Str_min1_max100 = Field(description='电商平台的海关注册登记名称；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台名称为准。')
    ebcCode: Str_min1_max18 = Field(description='电商企业的海关注册登记编号。')
    ebcName: Str_min1_max100 = Field(description='电商企业的海关注册登记名称。')
    goodsValue: Dec_t19_f5 = Field(description='商品实际成交价，含非现金抵扣金额。')
    freight: Dec_t19_f5 = Field(description='不包含在商品价格中的运杂费，无则填写"0"。')
    discount: Dec_t19_f5 = Field(description='使用积分、虚拟货币、代金券等非现金支付金额，无则填写"0"。')
    taxTotal: Dec_t19_f5 = Field(description='企业预先代扣的税款金额，无则填写“0”')
    acturalPaid: Dec_t19_f5 = Field(description='商品价格+运杂费+代扣税款-非现金抵扣金额，与支付凭证的支付金额一致。')
    currency: Literal["142"] = Field(description='限定为人民币，填写“142”。')
    buyerRegNo: Str_min1_max60 = Field(description='订购人的交易平台注册号。')
    buyerName: Str_min1_max60 = Field(description='订购人的真实姓名。')
    buyerTelephone: Str_min1_max30 = Field(description='订购人电话。')
    buyerIdType: Str_len1 = Field(description='1-身份证,2-其它。限定为身份证，填写“1”')
    buyerIdNumber: Str_min1_max60 = Field(description='订购人的身份证件号码。')
    payCode: Str_max18 | None = Field(default=None, description='支付企业的海关注册登记编号。')
    payName: Str_max100 | None = Field(default=None, description='支付企业在海关注册登记的企业名称。')
    payTransactionId: Str_max60 | None = Field(default=None, description='支付企业唯一的支付流水号。')
    batchNumbers: Str_max100 | None = Field(default=None, description='商品批次号')
    consignee: Str_min1_max100 = Field(description='收货人姓名，必须与电子运单的收货人姓名一致。')
    consigneeTelephone: Str_min1_max50 = Field(description='收货人联系电话，必须与电子运单的收货人电话一致。')
    consigneeAddress: Str_min1_max200 = Field(description='收货地址，必须与电子运单的收货地址一致。')
    consigneeDistrict: Str_len6 | None = Field(default=None, description='参照国家统计局公布的国家行政区划标准填制。')
    note: Str_max1000 | None = Field(default=None, description='订单备注')


_OrderHead = OrderHead


class OrderList(CebModel):
    """电子订单商品实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='OrderList', collapse=frozenset({'gnum', 'qty', 'price', 'totalPrice'}))

    gnum: Int = Field(description='从1开始的递增序号。')
    itemNo: Str_max30 | None = Field(default=None, description='电商企业自定义的商品货号（SKU）。')
    itemName: Str_min1_max250 = Field(description='交易平台销售商品的中文名称。')
    gmodel: Str_min1_max510 = Field(description='满足海关归类、审价以及监管的要求为准。包括：品名、牌名、规格、型号、成份、含量、等级等。')
    itemDescribe: Str_max1000 | None = Field(default=None, description='交易平台销售商品的描述信息。')
    barCode: Str_max50 | None = Field(default=None, description='国际通用的商品条形码，一般由前缀部分、制造厂商代码、商品代码和校验码组成。')
    unit: Str_len3 = Field(description='填写海关标准的参数代码，参照《JGS-20 海关业务代码集》- 计量单位代码。')
    qty: Dec_t19_f5 = Field(description='商品实际数量。')
    price: Dec_t19_f5 = Field(description='商品单价。赠品单价填写为“0”。')
    totalPrice: Dec_t19_f5 = Field(description='商品总价，等于单价乘以数量。')
    currency: Literal["142"] = Field(description='限定为人民币，填写“142”。')
    country: Str_len3 = Field(description='填写海关标准的参数代码，参照《JGS-20 海关业务代码集》-国家（地区）代码表。')
    note: Str_max1000 | None = Field(default=None, description='促销活动，商品单价偏离市场价格的，可以在此说明。')


_OrderList = OrderList


class Order(CebModel):
    """Order"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Order', children={'OrderHead': _OrderHead, 'OrderList': _OrderList}, repeated=frozenset({'OrderList'}))

    OrderHead: _OrderHead = Field(description='电子订单表头实体')
    OrderList: list[_OrderList] = Field(min_length=1, max_length=99, description='电子订单商品实体')


_Order = Order


class BaseTransfer(CebModel):
    """基础报文传输实体（需要与实际客户端传输企业一致）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='BaseTransfer')

    copCode: Str_min1_max18 = Field(description='报文传输的企业代码（需要与接入客户端的企业身份一致）')
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


class CEB311Message(CebMessage):
    """电子订单数据报文（ 电商企业或电商平台或受委托的快件运营人、邮政企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB311Message', attributes=('guid', 'version'), children={'Order': _Order, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'Order', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Order: list[_Order] = Field(min_length=1, max_length=100)
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class OrderReturn(CebModel):
    """电子订单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='OrderReturn')

    guid: Str_len36 = Field(description='电子口岸系统生成36位唯一序号（英文字母大写）')
    ebpCode: Str_min1_max18 = Field(description='电商平台的海关注册登记编号；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台标识编号为准。')
    ebcCode: Str_min1_max18 = Field(description='电商企业的海关注册登记编号。')
    orderNo: Str_min1_max60 = Field(description='交易平台的订单编号，同一交易平台的订单编号应唯一。订单编号长度不能超过60位。')
    returnStatus: Str_min1_max10 = Field(description='操作结果（2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/120海关入库/399海关审结）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='操作时间(格式:YYYYMMDDhhmmssSSS)')
    returnInfo: Str_min1_max1000 = Field(description='备注（如:退单原因）')


_OrderReturn = OrderReturn


class CEB312Message(CebMessage):
    """电子订单回执报文（电商企业或电商平台或受委托的快件运营人、邮政企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB312Message', attributes=('guid', 'version'), children={'OrderReturn': _OrderReturn}, repeated=frozenset({'OrderReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    OrderReturn: list[_OrderReturn] = Field(min_length=1, max_length=100, description='电子订单回执实体')


class PaymentHead(CebModel):
    """支付凭证数据实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='PaymentHead', collapse=frozenset({'amountPaid'}))

    guid: Str_len36 = Field(description='企业系统生成36位唯一序号（英文字母大写）。')
    appType: Str_len1 = Field(description='企业报送类型。1-新增 2-变更 3-删除。默认为1。')
    appTime: Str_len14 = Field(description='企业报送时间。格式:YYYYMMDDhhmmss。mss')
    appStatus: Str_min1_max3 = Field(description='业务状态:1-暂存,2-申报,默认为2。')
    payCode: Str_min1_max18 = Field(description='支付企业的海关注册登记编号。')
    payName: Str_min1_max100 = Field(description='支付企业在海关注册登记的名称。')
    payTransactionId: Str_min1_max60 = Field(description='支付企业唯一的支付流水号。')
    orderNo: Str_min1_max60 = Field(description='交易平台的订单编号，同一交易平台的订单编号应唯一。订单编号长度不能超过60位。')
    ebpCode: Str_min1_max18 = Field(description='电商平台的海关注册登记编号；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台标识编号为准。')
    ebpName: Str_min1_max100 = Field(description='电商平台的海关注册登记名称；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台名称为准。')
    payerIdType: Str_len1 = Field(description='1-身份证,2-其它。限定为身份证，填写“1”。')
    payerIdNumber: Str_min1_max60 = Field(description='支付人证件号码')
    payerName: Str_min1_max60 = Field(description='支付人的身份证件号码。')
    telephone: Str_max60 | None = Field(default=None, description='支付人电话')
    amountPaid: Dec_t19_f5 = Field(description='支付金额')
    currency: Literal["142"] = Field(description='限定为人民币，填写“142”。')
    payTime: Str_len14 = Field(description='支付时间，格式:YYYYMMDDhhmmss。hm')
    note: Str_max1000 | None = Field(default=None, description='备注')


_PaymentHead = PaymentHead


class Payment(CebModel):
    """Payment"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Payment', children={'PaymentHead': _PaymentHead})

    PaymentHead: _PaymentHead = Field(description='支付凭证数据实体')


_Payment = Payment


class CEB411Message(CebMessage):
    """支付凭证数据报文（支付企业或受委托的快件运营人、邮政企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB411Message', attributes=('guid', 'version'), children={'Payment': _Payment, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'Payment', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Payment: list[_Payment] = Field(min_length=1, max_length=100)
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class PaymentReturn(CebModel):
    """支付凭证回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='PaymentReturn')

    guid: Str_len36 = Field(description='电子口岸生成36位唯一序号（英文字母大写）')
    payCode: Str_min1_max18 = Field(description='支付企业的海关注册登记编号。')
    payTransactionId: Str_min1_max60 = Field(description='支付企业唯一的支付流水号。')
    returnStatus: Str_min1_max10 = Field(description='操作结果（2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/120海关入库/399海关审结）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='操作时间(格式:YYYYMMDDhhmmssSSS)')
    returnInfo: Str_min1_max1000 = Field(description='备注（如:退单原因）')


_PaymentReturn = PaymentReturn


class CEB412Message(CebMessage):
    """支付凭证回执报文（支付企业或受委托的快件运营人、邮政企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB412Message', attributes=('guid', 'version'), children={'PaymentReturn': _PaymentReturn}, repeated=frozenset({'PaymentReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    PaymentReturn: list[_PaymentReturn] = Field(min_length=1, max_length=100, description='支付凭证回执实体')


class LogisticsHead(CebModel):
    """物流运单数据实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='LogisticsHead', collapse=frozenset({'freight', 'insuredFee', 'weight', 'packNo'}))

    guid: Str_len36 = Field(description='企业系统生成36位唯一序号（英文字母大写）。')
    appType: Str_len1 = Field(description='企业报送类型。1-新增 2-变更 3-删除。默认为1。')
    appTime: Str_len14 = Field(description='企业报送时间。格式:YYYYMMDDhhmmss。mss')
    appStatus: Str_min1_max3 = Field(description='业务状态:1-暂存,2-申报,默认为2。')
    logisticsCode: Str_min1_max18 = Field(description='物流企业的海关注册登记编号。')
    logisticsName: Str_min1_max100 = Field(description='物流企业在海关注册登记的名称。')
    logisticsNo: Str_min1_max60 = Field(description='物流企业的运单包裹面单号。同一物流企业的运单编号在6个月内不重复。运单编号长度不能超过60位。')
    billNo: Str_max37 | None = Field(default=None, description='直购进口为海运提单、空运总单或汽车载货清单')
    orderNo: Str_min1_max60 = Field(description='交易平台的订单编号，同一交易平台的订单编号应唯一。订单编号长度不能超过60位。')
    freight: Dec_t19_f5 | None = Field(default=None, description='商品运输费用，无则填“0”。')
    insuredFee: Dec_t19_f5 | None = Field(default=None, description='商品保险费用，无则填“0”。')
    currency: Literal["142"] = Field(description='限定为人民币，填写“142”。')
    weight: Dec_t19_f5 = Field(description='毛重,单位为千克。')
    packNo: Int_t9 = Field(description='单个运单下包裹数，限定为“1”。')
    goodsInfo: Str_max200 | None = Field(default=None, description='配送的商品信息，包括商品名称、数量等。')
    consignee: Str_min1_max100 = Field(description='收货人姓名。')
    consigneeAddress: Str_min1_max200 = Field(description='收货地址。')
    consigneeTelephone: Str_min1_max50 = Field(description='收货人电话号码。')
    note: Str_max1000 | None = Field(default=None, description='备注')


_LogisticsHead = LogisticsHead


class Logistics(CebModel):
    """Logistics"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Logistics', children={'LogisticsHead': _LogisticsHead})

    LogisticsHead: _LogisticsHead = Field(description='物流运单数据实体')


_Logistics = Logistics


class CEB511Message(CebMessage):
    """物流运单数据报文（物流企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB511Message', attributes=('guid', 'version'), children={'Logistics': _Logistics, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'Logistics', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Logistics: list[_Logistics] = Field(min_length=1, max_length=100)
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class LogisticsReturn(CebModel):
    """物流运单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='LogisticsReturn')

    guid: Str_len36 = Field(description='电子口岸生成36位唯一序号（英文字母大写）')
    logisticsCode: Str_min1_max18 = Field(description='物流企业的海关注册登记编号。')
    logisticsNo: Str_min1_max60 = Field(description='物流企业的运单包裹面单号。同一物流企业的运单编号在6个月内不重复。运单编号长度不能超过60位。')
    returnStatus: Str_min1_max10 = Field(description='操作结果（2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/120海关入库/399海关审结）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='操作时间(格式:YYYYMMDDhhmmssSSS)')
    returnInfo: Str_min1_max1000 = Field(description='备注（如:退单原因）')


_LogisticsReturn = LogisticsReturn


class CEB512Message(CebMessage):
    """物流运单回执报文（物流企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB512Message', attributes=('guid', 'version'), children={'LogisticsReturn': _LogisticsReturn}, repeated=frozenset({'LogisticsReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    LogisticsReturn: list[_LogisticsReturn] = Field(min_length=1, max_length=100, description='物流运单回执实体')


class LogisticsStatus(CebModel):
    """物流运单状态数据实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='LogisticsStatus')

    guid: Str_len36 = Field(description='企业系统生成36位唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='企业报送类型。1-新增 2-变更 3-删除。默认为1。')
    appTime: Str_len14 = Field(description='企业报送时间。格式:YYYYMMDDhhmmss。mss')
    appStatus: Str_min1_max3 = Field(description='业务状态:1-暂存,2-申报,默认为2。')
    logisticsCode: Str_min1_max18 = Field(description='物流企业的海关注册登记编号。')
    logisticsName: Str_min1_max100 = Field(description='物流企业在海关注册登记的名称。')
    logisticsNo: Str_min1_max60 = Field(description='物流企业的运单包裹面单号。同一物流企业的运单编号在6个月内不重复。运单编号长度不能超过60位。')
    logisticsStatus: Str_len1 = Field(description='物流签收状态，限定S')
    logisticsTime: Str_len14 = Field(description='物流状态发生的实际时间。格式:YYYYMMDDhhmmss。')
    note: Str_max1000 | None = Field(default=None, description='备注')


_LogisticsStatus = LogisticsStatus


class CEB513Message(CebMessage):
    """物流运单状态数据报文（物流企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB513Message', attributes=('guid', 'version'), children={'LogisticsStatus': _LogisticsStatus, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'LogisticsStatus', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    LogisticsStatus: list[_LogisticsStatus] = Field(min_length=1, max_length=100, description='物流运单状态数据实体')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class LogisticsStatusReturn(CebModel):
    """物流运单状态回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='LogisticsStatusReturn')

    guid: Str_len36 = Field(description='电子口岸生成36位唯一序号（英文字母大写）')
    logisticsCode: Str_min1_max18 = Field(description='物流企业的海关注册登记编号。')
    logisticsNo: Str_min1_max60 = Field(description='物流企业的运单包裹面单号。同一物流企业的运单编号在6个月内不重复。运单编号长度不能超过60位。')
    logisticsStatus: Str_len1 = Field(description='物流签收状态，限定为S')
    returnStatus: Str_min1_max10 = Field(description='操作结果（2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/399海关审结）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='操作时间(格式:YYYYMMDDhhmmssSSS)')
    returnInfo: Str_min1_max1000 = Field(description='回执信息（如:退单原因）')


_LogisticsStatusReturn = LogisticsStatusReturn


class CEB514Message(CebMessage):
    """物流运单状态回执报文（物流企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB514Message', attributes=('guid', 'version'), children={'LogisticsStatusReturn': _LogisticsStatusReturn}, repeated=frozenset({'LogisticsStatusReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    LogisticsStatusReturn: list[_LogisticsStatusReturn] = Field(min_length=1, max_length=100, description='物流运单状态回执实体')


class InventoryHead(CebModel):
    """进口清单表头实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InventoryHead', collapse=frozenset({'freight', 'insuredFee', 'packNo', 'grossWeight', 'netWeight'}))

    guid: Str_len36 = Field(description='企业系统生成36位唯一序号（英文字母大写）。')
    appType: Str_len1 = Field(description='企业报送类型。1-新增 2-变更 3-删除。默认为1。')
    appTime: Str_len14 = Field(description='企业报送时间。格式:YYYYMMDDhhmmss。mss')
    appStatus: Str_min1_max3 = Field(description='业务状态:1-暂存,2-申报,默认为1。填写2时,Signature节点必须填写.')
    orderNo: Str_min1_max60 = Field(description='交易平台的订单编号，同一交易平台的订单编号应唯一。订单编号长度不能超过60位。')
    ebpCode: Str_min1_max18 = Field(description='电商平台的海关注册登记编号；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台标识编号为准。')
    ebpName: Str_min1_max100 = Field(description='电商平台的海关注册登记名称；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台名称为准。')
    ebcCode: Str_min1_max18 = Field(description='电商企业的海关注册登记编号。')
    ebcName: Str_min1_max100 = Field(description='电商企业的海关注册登记名称。')
    logisticsNo: Str_min1_max60 = Field(description='物流企业的运单包裹面单号。同一物流企业的运单编号在6个月内不重复。运单编号长度不能超过60位。')
    logisticsCode: Str_min1_max18 = Field(description='物流企业的海关注册登记编号。')
    logisticsName: Str_min1_max100 = Field(description='物流企业在海关注册登记的名称。')
    copNo: Str_max20 | None = Field(default=None, description='企业内部标识单证的编号。')
    preNo: Str_max18 | None = Field(default=None, description='电子口岸标识单证的编号。')
    assureCode: Str_min1_max30 = Field(description='担保扣税的企业海关注册登记编号，只限清单的申报企业、电商企业物流企业。')
    emsNo: Str_max30 | None = Field(default=None, description='保税模式必填，填写区内仓储企业在海关备案的账册编号，用于保税进口业务在特殊区域辅助系统记账（二线出区核减）。')
    invtNo: Str_max18 | None = Field(default=None, description='海关接受申报生成的清单编号。')
    ieFlag: Str_len1 = Field(description='I-进口,E-出口')
    declTime: Str_len8 = Field(description='申报日期，以海关计算机系统接受清单申报数据时记录的日期为准。格式:YYYYMMDD。')
    customsCode: Str_len4 = Field(description='接受清单申报的海关关区代码，参照JGS/T 18《海关关区代码》。')
    portCode: Str_len4 = Field(description='商品实际进出我国关境口岸海关的关区代码，参照JGS/T 18《海关关区代码》。')
    ieDate: Str_len8 | None = Field(default=None, description='运载所申报商品的运输工具申报进境的日期，进口申报时无法确知相应的运输工具的实际进境日期时，免填。格式:YYYYMMDD')
    buyerIdType: Str_len1 = Field(description='1-身份证,2-其它。限定为身份证，填写“1”。')
    buyerIdNumber: Str_min1_max60 = Field(description='订购人的身份证件号码。')
    buyerName: Str_min1_max60 = Field(description='订购人的真实姓名。')
    buyerTelephone: Str_min1_max30 = Field(description='订购人电话。')
    consigneeAddress: Str_min1_max200 = Field(description='收件地址。')
    agentCode: Str_min1_max18 = Field(description='申报单位的海关注册登记编号。')
    agentName: Str_min1_max100 = Field(description='申报单位在海关注册登记的名称。')
    areaCode: Str_max18 | None = Field(default=None, description='保税模式必填，区内仓储企业的海关注册登记编号。')
    areaName: Str_max100 | None = Field(default=None, description='保税模式必填，区内仓储企业在海关注册登记的名称。')
    tradeMode: Str_len4 = Field(description='直购进口填写“9610”，保税进口填写“1210”。')
    trafMode: Str_len1 = Field(description='填写海关标准的参数代码，参照《JGS-20 海关业务代码集》- 运输方式代码。直购进口指跨境段物流运输方式，保税进口指二线出区物流运输方式。')
    trafNo: Str_max100 | None = Field(default=None, description='直购进口必填。货物进出境的运输工具的名称或运输工具编号。填报内容应与运输部门向海关申报的载货清单所列相应内容一致；同报关单填制规范。保税进口免填。')
    voyageNo: Str_max32 | None = Field(default=None, description='直购进口必填。货物进出境的运输工具的航次编号。保税进口免填。')
    billNo: Str_max37 | None = Field(default=None, description='直购进口必填。货物提单或运单的编号，保税进口免填。')
    loctNo: Str_max10 | None = Field(default=None, description='针对同一申报地海关下有多个跨境电子商务的监管场所,需要填写区分')
    licenseNo: Str_max19 | None = Field(default=None, description='商务主管部门及其授权发证机关签发的进出口货物许可证件的编号')
    country: Str_len3 = Field(description='直购进口填写起始发出国家（地区）代码，参照《JGS-20 海关业务代码集》的国家（地区）代码表；保税进口填写代码“142”。')
    freight: Dec_t19_f5 = Field(description='物流企业实际收取的运输费用。')
    insuredFee: Dec_t19_f5 = Field(description='物流企业实际收取的商品保价费用。')
    currency: Literal["142"] = Field(description='限定为人民币，填写“142”。')
    wrapType: Str_len1 | None = Field(default=None, description='海关对进出口货物实际采用的外部包装方式的标识代码，采用1 位数字表示，如：木箱、纸箱、桶装、散装、托盘、包、油罐车等')
    packNo: Int_t9 = Field(description='件数为包裹数量，限定为“1”。')
    grossWeight: Dec_t19_f5 = Field(description='货物及其包装材料的重量之和，计量单位为千克。')
    netWeight: Dec_t19_f5 = Field(description='货物的毛重减去外包装材料后的重量，即货物本身的实际重量，计量单位为千克。')
    note: Str_max1000 | None = Field(default=None, description='备注')


_InventoryHead = InventoryHead


class InventoryList(CebModel):
    """进口清单表体实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InventoryList', collapse=frozenset({'gnum', 'qty', 'qty1', 'qty2', 'price', 'totalPrice'}))

    gnum: Int = Field(description='从1开始连续序号，与关联的电子订单表体序号一一对应。')
    itemRecordNo: Str_max30 | None = Field(default=None, description='账册备案料号 保税模式必填')
    itemNo: Str_max20 | None = Field(default=None, description='电商企业自定义的商品货号（SKU）。')
    itemName: Str_max250 | None = Field(default=None, description='交易平台销售商品的中文名称。')
    gcode: Str_len10 = Field(description='按商品分类编码规则确定的进出口商品的商品编号，分为商品编号和附加编号，其中商品编号栏应填报《中华人民共和国进出口税则》8位税则号列，附加编号应填报商品编号，附加编号第9、10位。')
    gname: Str_min1_max250 = Field(description='商品名称应据实填报，与电子订单一致。')
    gmodel: Str_min1_max510 = Field(description='满足海关归类、审价以及监管的要求为准。包括：品名、牌名、规格、型号、成份、含量、等级等。')
    barCode: Str_max50 | None = Field(default=None, description='商品条码一般由前缀部分、制造厂商代码、商品代码和校验码组成。没有条码填“无”')
    country: Str_len3 = Field(description='原产国（地区），海关标准的参数代码 《JGS-20 海关业务代码集》 国家（地区）代码表填写代码。')
    tradeCountry: Str_min1_max3 | None = Field(default=None, description='贸易国，按海关规定的《国别（地区）代码表》选择填报相应的贸易国（地区）代码。')
    currency: Literal["142"] = Field(description='限定为人民币，填写“142”。')
    qty: Dec_t19_f5 = Field(description='数量，按成交计量单位的实际数量')
    unit: Str_len3 = Field(description='计量单位，海关标准的参数代码 《JGS-20 海关业务代码集》- 计量单位代码')
    qty1: Dec_t19_f5 = Field(description='法定数量，海关标准的参数代码 《JGS-20 海关业务代码集》- 计量单位代码')
    unit1: Str_len3 = Field(description='法定i计量单位,海关标准的参数代码 《JGS-20 海关业务代码集》- 计量单位代码')
    qty2: Dec_t19_f5 | None = Field(default=None, description='第二数量')
    unit2: Str_len3 | None = Field(default=None, description='第二计量单位,海关标准的参数代码 《JGS-20 海关业务代码集》- 计量单位代码')
    price: Dec_t19_f5 = Field(description='成交单价')
    totalPrice: Dec_t19_f5 = Field(description='成交总价')
    note: Str_max1000 | None = Field(default=None, description='备注')


_InventoryList = InventoryList


class Inventory(CebModel):
    """Inventory"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Inventory', children={'InventoryHead': _InventoryHead, 'InventoryList': _InventoryList}, repeated=frozenset({'InventoryList'}))

    InventoryHead: _InventoryHead = Field(description='进口清单表头实体')
    InventoryList: list[_InventoryList] = Field(min_length=1, max_length=99, description='进口清单表体实体')


_Inventory = Inventory


class CEB621Message(CebMessage):
    """进口清单数据报文（电商企业或其代理人）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB621Message', attributes=('guid', 'version'), children={'Inventory': _Inventory, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'Inventory', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Inventory: list[_Inventory] = Field(min_length=1, max_length=100)
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class InventoryReturn(CebModel):
    """进口清单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InventoryReturn')

    guid: Str_len36 = Field(description='电子口岸生成36位唯一序号（英文字母大写）')
    customsCode: Str_len4 | None = Field(default=None, description='申报口岸')
    ebpCode: Str_min1_max18 | None = Field(default=None, description='电商平台的海关注册登记编号；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台标识编号为准。')
    ebcCode: Str_min1_max18 | None = Field(default=None, description='电商平台的海关注册登记编号；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台标识编号为准。')
    agentCode: Str_min1_max18 | None = Field(default=None, description='申报单位代码,10位海关代码或者18位信用代码(兼容考虑，暂设为选填)')
    copNo: Str_min1_max20 = Field(description='企业内部标识单证的编号')
    preNo: Str_len18 = Field(description='电子口岸标识单证的编号')
    invtNo: Str_len18 | None = Field(default=None, description='海关审核反馈清单的编号')
    returnStatus: Str_min1_max10 = Field(description='操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/120海关入库/300人工审核/399海关审结/800放行/899结关/500查验/501扣留移送通关/502扣留移送缉私/503扣留移送法规/599其它扣留/700退运）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='操作时间(格式:YYYYMMDDhhmmssSSS)')
    returnInfo: Str_min1_max1000 = Field(description='回执信息（如:退单原因）')


_InventoryReturn = InventoryReturn


class CEB622Message(CebMessage):
    """进口清单回执报文（电商企业或其代理人）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB622Message', attributes=('guid', 'version'), children={'InventoryReturn': _InventoryReturn}, repeated=frozenset({'InventoryReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    InventoryReturn: list[_InventoryReturn] = Field(min_length=1, max_length=100, description='进口清单回执实体')


class InvtCancel(CebModel):
    """撤销申请单实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtCancel')

    guid: Str_len36 = Field(description='企业系统生成36位唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='企业报送类型。1-新增。默认为1。')
    appTime: Str_len14 = Field(description='企业报送时间。格式:YYYYMMDDhhmmss。mss')
    appStatus: Str_min1_max3 = Field(description='业务状态:1-暂存,2-申报,默认为1。填写2时,Signature节点必须填写.')
    customsCode: Str_len4 = Field(description='接受申报的海关关区代码，参照JGS/T 18《海关关区代码》。')
    orderNo: Str_min1_max60 = Field(description='交易平台的订单编号，同一交易平台的订单编号应唯一。订单编号长度不能超过60位。')
    ebpCode: Str_min1_max18 = Field(description='电商平台的海关注册登记编号；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台标识编号为准。')
    ebpName: Str_min1_max100 = Field(description='电商平台的海关注册登记名称；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台名称为准。')
    ebcCode: Str_min1_max18 = Field(description='电商企业的海关注册登记编号。')
    ebcName: Str_min1_max100 = Field(description='电商企业的海关注册登记名称。')
    logisticsNo: Str_min1_max60 = Field(description='物流企业的运单包裹面单号。同一物流企业的运单编号在6个月内不重复。运单编号长度不能超过60位。')
    logisticsCode: Str_min1_max18 = Field(description='物流企业的海关注册登记编号。')
    logisticsName: Str_min1_max100 = Field(description='物流企业在海关注册登记的名称。')
    copNo: Str_max20 | None = Field(default=None, description='企业内部标识单证的编号')
    preNo: Str_max18 | None = Field(default=None, description='电子口岸标识单证的编号')
    invtNo: Str_min1_max18 = Field(description='申请撤销的原始清单编号。')
    buyerIdType: Str_len1 = Field(description='1-身份证,2-其它。限定为身份证，填写“1”。')
    buyerIdNumber: Str_min1_max60 = Field(description='订购人的身份证件号码。')
    buyerName: Str_min1_max60 = Field(description='订购人的真实姓名。')
    buyerTelephone: Str_min1_max30 = Field(description='订购人电话')
    agentCode: Str_min1_max18 = Field(description='申报单位的海关注册登记编号。')
    agentName: Str_min1_max100 = Field(description='申报单位在海关注册登记的名称。')
    reason: Str_min1_max1000 = Field(description='撤单原因')
    note: Str_max1000 | None = Field(default=None, description='备注')


_InvtCancel = InvtCancel


class CEB623Message(CebMessage):
    """撤销申请单数据报文（电商企业或其代理人）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB623Message', attributes=('guid', 'version'), children={'InvtCancel': _InvtCancel, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'InvtCancel', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    InvtCancel: list[_InvtCancel] = Field(min_length=1, max_length=100, description='撤销申请单实体')
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class InvtCancelReturn(CebModel):
    """撤销申请单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtCancelReturn')

    guid: Str_len36 = Field(description='电子口岸生成36位唯一序号（英文字母大写）')
    customsCode: Str_len4 | None = Field(default=None, description='申报口岸')
    agentCode: Str_min1_max18 | None = Field(default=None, description='申报单位代码,10位海关代码或者18位信用代码（兼容考虑，暂设为选填）')
    ebpCode: Str_min1_max18 | None = Field(default=None, description='电商平台代码,10位海关代码或者18位信用代码(兼容考虑，暂设为选填)')
    ebcCode: Str_min1_max18 | None = Field(default=None, description='电商企业代码,10位海关代码或者18位信用代码(兼容考虑，暂设为选填)')
    copNo: Str_min1_max20 = Field(description='企业内部标识单证的编号')
    preNo: Str_len18 = Field(description='电子口岸标识单证的编号')
    invtNo: Str_len18 | None = Field(default=None, description='申请撤销的原始清单编号')
    returnStatus: Str_min1_max10 = Field(description='操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/120海关入库/399海关审结）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='操作时间(格式:YYYYMMDDhhmmssSSS)')
    returnInfo: Str_min1_max1000 = Field(description='回执信息（如:退单原因）')


_InvtCancelReturn = InvtCancelReturn


class CEB624Message(CebMessage):
    """撤销申请单回执报文（电商企业或其代理人）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB624Message', attributes=('guid', 'version'), children={'InvtCancelReturn': _InvtCancelReturn}, repeated=frozenset({'InvtCancelReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    InvtCancelReturn: list[_InvtCancelReturn] = Field(min_length=1, max_length=100, description='撤销申请单回执实体')


class InvtRefundHead(CebModel):
    """退货申请单表头实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtRefundHead')

    guid: Str_len36 = Field(description='企业系统生成36位唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='企业报送类型。1-新增 2-变更 3-删除。默认为1。')
    appTime: Str_len14 = Field(description='企业报送时间。格式:YYYYMMDDhhmmss。mss')
    appStatus: Str_min1_max3 = Field(description='业务状态:1-暂存,2-申报,默认为1。填写2时,Signature节点必须填写.')
    customsCode: Str_len4 = Field(description='接受申报的海关关区代码，参照JGS/T 18《海关关区代码》。')
    orderNo: Str_min1_max60 = Field(description='交易平台的订单编号，同一交易平台的订单编号应唯一。订单编号长度不能超过60位。')
    ebpCode: Str_min1_max18 = Field(description='电商平台的海关注册登记编号；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台标识编号为准。')
    ebpName: Str_min1_max100 = Field(description='电商平台的海关注册登记名称；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台名称为准。')
    ebcCode: Str_min1_max18 = Field(description='电商企业的海关注册登记编号。')
    ebcName: Str_min1_max100 = Field(description='电商企业的海关注册登记名称。')
    logisticsNo: Str_min1_max60 = Field(description='物流企业的运单包裹面单号。同一物流企业的运单编号在6个月内不重复。运单编号长度不能超过60位。')
    logisticsCode: Str_min1_max18 = Field(description='物流企业的海关注册登记编号。')
    logisticsName: Str_min1_max100 = Field(description='物流企业在海关注册登记的名称。')
    copNo: Str_max20 | None = Field(default=None, description='企业内部标识单证的编号。')
    preNo: Str_max18 | None = Field(default=None, description='电子口岸标识单证的编号。')
    invtNo: Str_min1_max18 = Field(description='申请退货的原始清单编号。')
    buyerIdType: Str_len1 = Field(description='订购人证件类型')
    buyerIdNumber: Str_min1_max60 = Field(description='订购人证件号码')
    buyerName: Str_min1_max60 = Field(description='订购人姓名')
    buyerTelephone: Str_min1_max30 = Field(description='订购人电话')
    agentCode: Str_min1_max18 = Field(description='申报单位的海关注册登记编号。')
    agentName: Str_min1_max100 = Field(description='申报单位在海关注册登记的名称。')
    reason: Str_min1_max1000 = Field(description='退货原因')
    note: Str_max1000 | None = Field(default=None, description='备注')


_InvtRefundHead = InvtRefundHead


class InvtRefundList(CebModel):
    """退货申请单表体实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtRefundList', collapse=frozenset({'gnum', 'qty'}))

    gnum: Int = Field(description='对应原清单表体序号（退货项序号）')
    gcode: Str_len10 = Field(description='按商品分类编码规则确定的进出口商品的商品编号，分为商品编号和附加编号，其中商品编号栏应填报《中华人民共和国进出口税则》8位税则号列，附加编号应填报商品编号，附加编号第9、10位。')
    gname: Str_min1_max250 = Field(description='商品名称应据实填报，与清单一致。')
    qty: Dec_t19_f5 = Field(description='申请退货的数量，小于等于原清单的成交计量单位的数量')
    unit: Str_len3 = Field(description='海关标准的参数代码 《JGS-20 海关业务代码集》- 计量单位代码')
    note: Str_max1000 | None = Field(default=None, description='备注')


_InvtRefundList = InvtRefundList


class InvtRefund(CebModel):
    """InvtRefund"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtRefund', children={'InvtRefundHead': _InvtRefundHead, 'InvtRefundList': _InvtRefundList}, repeated=frozenset({'InvtRefundList'}))

    InvtRefundHead: _InvtRefundHead = Field(description='退货申请单表头实体')
    InvtRefundList: list[_InvtRefundList] = Field(min_length=1, max_length=99, description='退货申请单表体实体')


_InvtRefund = InvtRefund


class CEB625Message(CebMessage):
    """退货申请单数据报文（电商企业或其代理人）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB625Message', attributes=('guid', 'version'), children={'InvtRefund': _InvtRefund, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'InvtRefund', 'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    InvtRefund: list[_InvtRefund] = Field(min_length=1, max_length=100)
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class InvtRefundReturn(CebModel):
    """退货申请单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='InvtRefundReturn')

    guid: Str_len36 = Field(description='电子口岸生成36位唯一序号（英文字母大写）')
    customsCode: Str_len4 | None = Field(default=None, description='申报口岸')
    agentCode: Str_min1_max18 | None = Field(default=None, description='申报单位代码,10位海关代码或者18位信用代码（兼容考虑，暂设为选填）')
    ebpCode: Str_min1_max18 | None = Field(default=None, description='电商平台的海关注册登记编号；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台标识编号为准。')
    ebcCode: Str_min1_max18 | None = Field(default=None, description='电商平台的海关注册登记编号；电商平台未在海关注册登记，由电商企业发送订单的，以中国电子口岸发布的电商平台标识编号为准。')
    copNo: Str_min1_max20 = Field(description='企业内部标识单证的编号')
    preNo: Str_len18 = Field(description='电子口岸标识单证的编号')
    invtNo: Str_len18 | None = Field(default=None, description='申请退货的原始清单编号')
    returnStatus: Str_min1_max10 = Field(description='操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/120海关入库/399海关审结）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='操作时间(格式:YYYYMMDDhhmmssSSS)')
    returnInfo: Str_min1_max1000 = Field(description='备注（如不通过原因）')


_InvtRefundReturn = InvtRefundReturn


class CEB626Message(CebMessage):
    """退货申请单回执报文（电商企业或其代理人）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB626Message', attributes=('guid', 'version'), children={'InvtRefundReturn': _InvtRefundReturn}, repeated=frozenset({'InvtRefundReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    InvtRefundReturn: list[_InvtRefundReturn] = Field(min_length=1, max_length=100, description='退货申请单回执实体')


class DeliveryHead(CebModel):
    """入库明细单表头实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='DeliveryHead')

    guid: Str_len36 = Field(description='企业系统生成36位唯一序号（英文字母大写）')
    appType: Str_len1 = Field(description='企业报送类型。1-新增 2-变更 3-删除。默认为1。')
    appTime: Str_len14 = Field(description='企业报送时间。格式:YYYYMMDDhhmmss。mss')
    appStatus: Str_min1_max3 = Field(description='业务状态:1-暂存,2-申报,默认为1。')
    customsCode: Str_len4 = Field(description='接受申报的海关关区代码，参照JGS/T 18《海关关区代码》。')
    copNo: Str_max20 | None = Field(default=None, description='企业内部标识单证的编号')
    preNo: Str_max18 | None = Field(default=None, description='电子口岸标识单证的编号')
    rkdNo: Str_max18 | None = Field(default=None, description='海关接受申报生成的入库单编号')
    operatorCode: Str_min1_max18 = Field(description='监管场所经营人在海关注册登记的编号')
    operatorName: Str_min1_max100 = Field(description='监管场所经营人在海关注册登记的名称')
    ieFlag: Str_len1 = Field(description='I进口/E出口')
    trafMode: Str_len1 = Field(description='填写海关标准的参数代码，参照《JGS-20 海关业务代码集》- 运输方式代码。直购进口指跨境段物流运输方式。')
    trafNo: Str_min1_max100 = Field(description='货物进出境的运输工具的名称或运输工具编号。填报内容应与运输部门向海关申报的载货清单所列相应内容一致；同报关单填制规范。')
    voyageNo: Str_min1_max32 = Field(description='货物进出境的运输工具的航次编号。')
    billNo: Str_min1_max37 = Field(description='货物提单或运单的海运提单、空运总单或汽车载货清单')
    logisticsCode: Str_min1_max18 = Field(description='物流企业的海关注册登记编号')
    logisticsName: Str_min1_max100 = Field(description='物流企业的海关注册登记名称')
    unloadLocation: Str_max100 | None = Field(default=None, description='货物卸货的仓储存放位置')
    note: Str_max1000 | None = Field(default=None, description='备注')


_DeliveryHead = DeliveryHead


class DeliveryList(CebModel):
    """入库明细单表体实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='DeliveryList', collapse=frozenset({'gnum'}))

    gnum: Int = Field(description='从1开始的递增序号')
    logisticsNo: Str_min1_max60 = Field(description='物流企业的运单包裹面单号。同一物流企业的运单编号在6个月内不重复。运单编号长度不能超过60位。')
    note: Str_max1000 | None = Field(default=None, description='备注')


_DeliveryList = DeliveryList


class Delivery(CebModel):
    """Delivery"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Delivery', children={'DeliveryHead': _DeliveryHead, 'DeliveryList': _DeliveryList}, repeated=frozenset({'DeliveryList'}))

    DeliveryHead: _DeliveryHead = Field(description='入库明细单表头实体')
    DeliveryList: list[_DeliveryList] = Field(min_length=1, description='入库明细单表体实体')


_Delivery = Delivery


class CEB711Message(CebMessage):
    """入库明细单数据报文（海关监管作业场所经营企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB711Message', attributes=('guid', 'version'), children={'Delivery': _Delivery, 'BaseTransfer': _BaseTransfer, 'BaseSubscribe': _BaseSubscribe, 'ExtendMessage': _ExtendMessage}, repeated=frozenset({'BaseSubscribe'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Delivery: _Delivery = Field()
    BaseTransfer: _BaseTransfer = Field(description='基础报文传输实体（需要与实际客户端传输企业一致）')
    BaseSubscribe: list[_BaseSubscribe] = Field(default_factory=list, max_length=5, description='基础回执订阅实体（用于第三方提供数据的订阅下发）')
    ExtendMessage: _ExtendMessage | None = Field(default=None, description='扩展自定义数据实体')


class DeliveryReturn(CebModel):
    """入库明细单回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='DeliveryReturn')

    guid: Str_len36 = Field(description='电子口岸生成36位唯一序号（英文字母大写）')
    customsCode: Str_len4 | None = Field(default=None, description='主管海关')
    operatorCode: Str_min1_max18 | None = Field(default=None, description='监管场所经营人代码 监管场所经营人作为第三方对入场所的大包开拆核实包裹（兼容考虑，暂设为选填）')
    copNo: Str_max20 | None = Field(default=None, description='企业内部标识单证的编号')
    preNo: Str_max18 | None = Field(default=None, description='电子口岸标识单证的编号')
    rkdNo: Str_max18 | None = Field(default=None, description='海关审核生成的入库单编号')
    returnStatus: Str_min1_max10 = Field(description='操作结果（1电子口岸已暂存/2电子口岸申报中/3发送海关成功/4发送海关失败/100海关退单/120海关入库/399海关审结）,若小于0数字表示处理异常回执')
    returnTime: Str_len17 = Field(description='操作时间(格式:YYYYMMDDhhmmssSSS)')
    returnInfo: Str_min1_max1000 = Field(description='备注（如不通过原因）')


_DeliveryReturn = DeliveryReturn


class CEB712Message(CebMessage):
    """入库明细单回执报文（海关监管作业场所经营企业）"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB712Message', attributes=('guid', 'version'), children={'DeliveryReturn': _DeliveryReturn}, repeated=frozenset({'DeliveryReturn'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    DeliveryReturn: list[_DeliveryReturn] = Field(min_length=1, max_length=100, description='入库明细单回执实体')


class TaxHeadRd(CebModel):
    """电子税单表头实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='TaxHeadRd', collapse=frozenset({'customsTax', 'valueAddedTax', 'consumptionTax'}))

    guid: Str_len36 = Field(description='36位系统唯一序号（英文字母大写）')
    returnTime: Str_len17 = Field(description='回执时间,格式:YYYYMMDDhhmmssSSS')
    invtNo: Str_min1_max18 = Field(description='进境清单编号，海关审结生成标识清单的编号（4位关区+4位年+1位进出口标记+9位流水号）')
    taxNo: Str_min1_max50 = Field(description='电子税单编号')
    customsTax: Dec_t19_f5 = Field(description='应征关税')
    valueAddedTax: Dec_t19_f5 = Field(description='应征增值税')
    consumptionTax: Dec_t19_f5 = Field(description='应征消费税')
    status: Str_len1 = Field(description='税单状态（(1-已生成，2-已汇总 3-作废)）')
    entDutyNo: Str_max50 | None = Field(default=None, description='缴款书编号')
    note: Str_max1000 | None = Field(default=None, description='备注')
    assureCode: Str_max64 | None = Field(default=None, description='担保企业代码')
    ebcCode: Str_max64 | None = Field(default=None, description='电商企业代码')
    logisticsCode: Str_max64 | None = Field(default=None, description='物流企业代码')
    agentCode: Str_min1_max18 | None = Field(default=None, description='申报单位代码,10位海关代码或者18位信用代码')
    customsCode: Str_len4 | None = Field(default=None, description='申报口岸')


_TaxHeadRd = TaxHeadRd


class TaxListRd(CebModel):
    """电子税单表体实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='TaxListRd', collapse=frozenset({'gnum', 'taxPrice', 'customsTax', 'valueAddedTax', 'consumptionTax'}))

    gnum: Int = Field(description='商品项号,从1开始连续序号')
    gcode: Str_len10 = Field(description='海关商品编码（10位）')
    taxPrice: Dec_t19_f5 = Field(description='完税总价格')
    customsTax: Dec_t19_f5 = Field(description='应征关税')
    valueAddedTax: Dec_t19_f5 = Field(description='应征增值税')
    consumptionTax: Dec_t19_f5 = Field(description='应征消费税')


_TaxListRd = TaxListRd


class CEB816MessageTax(CebModel):
    """Tax"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Tax', children={'TaxHeadRd': _TaxHeadRd, 'TaxListRd': _TaxListRd}, repeated=frozenset({'TaxListRd'}))

    TaxHeadRd: _TaxHeadRd = Field(description='电子税单表头实体')
    TaxListRd: list[_TaxListRd] = Field(min_length=1, max_length=99, description='电子税单表体实体')


_CEB816MessageTax = CEB816MessageTax


class CEB816Message(CebMessage):
    """电子税单数据报文"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB816Message', attributes=('guid', 'version'), children={'Tax': _CEB816MessageTax}, repeated=frozenset({'Tax'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Tax: list[_CEB816MessageTax] = Field(min_length=1)


class TaxHeadStatus(CebModel):
    """电子税单状态表头实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='TaxHeadStatus')

    guid: Str_len36 = Field(description='36位系统唯一序号（英文字母大写）')
    returnTime: Str_len17 = Field(description='回执时间,格式:YYYYMMDDhhmmssSSS')
    invtNo: Str_min1_max18 = Field(description='进境清单编号，海关审结生成标识清单的编号（4位关区+4位年+1位进出口标记+9位流水号）')
    taxNo: Str_min1_max50 = Field(description='电子税单编号')
    status: Str_len1 = Field(description='税单状态（(1-已生成，2-已汇总 3-作废)）')
    entDutyNo: Str_max50 | None = Field(default=None, description='缴款书编号')
    assureCode: Str_max64 | None = Field(default=None, description='担保企业代码')


_TaxHeadStatus = TaxHeadStatus


class CEB818MessageTax(CebModel):
    """Tax"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='Tax', children={'TaxHeadStatus': _TaxHeadStatus})

    TaxHeadStatus: _TaxHeadStatus = Field(description='电子税单状态表头实体')


_CEB818MessageTax = CEB818MessageTax


class CEB818Message(CebMessage):
    """电子税单状态报文"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB818Message', attributes=('guid', 'version'), children={'Tax': _CEB818MessageTax}, repeated=frozenset({'Tax'}))

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    Tax: list[_CEB818MessageTax] = Field(min_length=1)


class MessageReturn(CebModel):
    """报文格式校验回执实体"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='MessageReturn')

    guid: Str_len36 = Field(description='36位唯一序号')
    returnStatus: Str_min1_max10 = Field(description='小于0数字表示报文格式校验异常。')
    returnInfo: Str_max5000 = Field(description='回执详细信息')
    returnTime: Str_len17 = Field(description='操作时间(格式:YYYYMMDDhhmmssSSS)')
    oriCopMsgId: Str_max255 = Field(description='原始传输报文的copMsgId')
    oriMessageType: Str_max15 = Field(description='原始报文的报文类型，如CEB311Message，未知类型为Unknown')
    oriBizMessage: Str = Field(description='原始报文内容')


_MessageReturn = MessageReturn


class CEB900Message(CebMessage):
    """报文格式校验回执报文"""

    xml_spec: ClassVar[XmlSpec] = XmlSpec(name='CEB900Message', attributes=('guid', 'version'), children={'MessageReturn': _MessageReturn})

    guid: Str_len36 = Field(description='报文的36位系统唯一序号')
    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')
    MessageReturn: _MessageReturn = Field(description='报文格式校验回执实体')


MESSAGES: dict[str, type[CebMessage]] = {
    "CEB311Message": CEB311Message,
    "CEB312Message": CEB312Message,
    "CEB411Message": CEB411Message,
    "CEB412Message": CEB412Message,
    "CEB511Message": CEB511Message,
    "CEB512Message": CEB512Message,
    "CEB513Message": CEB513Message,
    "CEB514Message": CEB514Message,
    "CEB621Message": CEB621Message,
    "CEB622Message": CEB622Message,
    "CEB623Message": CEB623Message,
    "CEB624Message": CEB624Message,
    "CEB625Message": CEB625Message,
    "CEB626Message": CEB626Message,
    "CEB711Message": CEB711Message,
    "CEB712Message": CEB712Message,
    "CEB816Message": CEB816Message,
    "CEB818Message": CEB818Message,
    "CEB900Message": CEB900Message,
}
