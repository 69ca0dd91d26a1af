"""Seeded shops, products, orders and coupons, and what simulated buyers say.

Everything derives from one `random.Random`, so a seed always yields the same world.
"""

from __future__ import annotations

import random
import string
from datetime import datetime, timedelta

from workstation.domain.platforms import Platform

CATALOGUES = {
    "女装": [("法式碎花连衣裙", 15900), ("高腰阔腿牛仔裤", 12900), ("纯棉圆领短袖T恤", 4990),
             ("针织开衫外套", 18900), ("羊毛呢大衣", 59900), ("百褶半身裙", 9900)],
    "数码": [("无线蓝牙耳机", 19900), ("20000毫安充电宝", 8990), ("65W氮化镓快充头", 6900),
             ("机械键盘青轴", 24900), ("手机壳防摔透明", 1990), ("Type-C数据线2米", 1590)],
    "食品": [("云南小粒咖啡豆500g", 6800), ("每日坚果30袋", 12900), ("新疆灰枣2斤", 3990),
             ("手工牛轧糖礼盒", 5900), ("五常大米10斤", 7990), ("低糖全麦面包", 2990)],
    "家居": [("四件套纯棉床品", 29900), ("记忆棉枕头", 8900), ("加厚浴巾", 3990),
             ("收纳箱三件套", 4590), ("北欧落地灯", 19900), ("不锈钢保温杯", 6900)],
    "运动": [("缓震跑步鞋", 39900), ("瑜伽垫加厚", 8900), ("速干运动T恤", 6900),
             ("可调节哑铃", 25900), ("跳绳计数款", 2990), ("骑行手套", 4990)],
}
SHOP_NAMES = {
    "女装": ["优雅衣橱旗舰店", "小鹿女装专营店", "棉麻时光女装店"],
    "数码": ["极客数码专营店", "闪电配件旗舰店", "声浪音频官方店"],
    "食品": ["山野良品食品店", "甜蜜工坊旗舰店", "田园臻选专营店"],
    "家居": ["暖居家纺旗舰店", "简屋生活馆", "悦家好物专营店"],
    "运动": ["奔跑吧运动旗舰店", "燃动健身专营店", "轻装户外店"],
}
SIZES = ["S", "M", "L", "XL", "XXL"]
COLOURS = ["黑色", "白色", "米色", "雾霾蓝", "焦糖色", "灰色"]
CARRIERS = ["中通快递", "圆通速递", "韵达快递", "顺丰速运", "申通快递", "极兔速递", "京东物流"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
CITIES = [("浙江省", "杭州市", "西湖区"), ("广东省", "深圳市", "南山区"), ("江苏省", "苏州市", "工业园区"),
          ("四川省", "成都市", "武侯区"), ("北京市", "北京市", "朝阳区"), ("上海市", "上海市", "浦东新区"),
          ("湖北省", "武汉市", "洪山区"), ("山东省", "青岛市", "崂山区")]
NICK_PARTS = ["小", "大", "阿", "爱吃", "快乐的", "努力的", "今天也要"]
NICK_ENDS = ["猫", "鱼", "兔", "橙子", "喵", "小熊", "土豆", "星星", "柠檬", "豆豆"]

# Per-platform 3-letter prefixes for ids so a glance tells where an id came from.
ID_PREFIX = {Platform.PDD: "pdd", Platform.TAOBAO: "tb", Platform.DOUYIN: "dy",
             Platform.KUAISHOU: "ks", Platform.JD: "jd"}


def random_token(rng: random.Random, length: int) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(rng.choice(alphabet) for _ in range(length))


def buyer_nick(rng: random.Random, platform: Platform) -> str:
    if platform is Platform.TAOBAO and rng.random() < 0.4:
        return f"tb{rng.randint(1000, 9999)}****{rng.randint(10, 99)}"
    if platform is Platform.PDD and rng.random() < 0.4:
        return f"pdd{rng.randint(10000, 99999)}"
    return rng.choice(NICK_PARTS) + rng.choice(NICK_ENDS) + str(rng.randint(1, 999))


def order_number(platform: Platform, a: int, b: int, created: datetime) -> str:
    """An order number shaped like the platform's own (what the side panel validates):
    拼多多 yyMMdd-15 digits, 抖店 19 digits, 京东 12 digits, 淘宝 and 快手 18 digits."""
    if platform is Platform.PDD:
        return f"{created:%y%m%d}-{a}{b}{created.hour:03d}"
    if platform is Platform.DOUYIN:
        return f"6{a}{created:%y%m%d}{b}"
    if platform is Platform.JD:
        return f"{a}{b}"
    return f"{a}{created:%y%m%d}{b}"


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def make_address(rng: random.Random) -> dict:
    province, city, district = rng.choice(CITIES)
    street = f"{rng.choice(['文一', '科技', '人民', '建设', '学院', '中山'])}路{rng.randint(1, 999)}号"
    room = f"{rng.randint(1, 30)}幢{rng.randint(1, 30)}0{rng.randint(1, 9)}室"
    name = rng.choice(SURNAMES) + rng.choice(["伟", "芳", "娜", "敏", "静", "磊", "洋", "婷婷", "子涵"])
    phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
    return {"receiver": name, "phone": phone, "province": province, "city": city,
            "district": district, "detail": street + room,
            "address_masked": f"{province}{city}{district}****"}


def logistics_trace(rng: random.Random, shipped_at: datetime, delivered: bool, city: str) -> list[dict]:
    steps = [(0, "商家已发货，包裹等待揽收"), (3, "快递员已揽收"), (9, "已到达【金华转运中心】"),
             (20, f"已到达【{city}转运中心】"), (30, f"【{city}】派送中，派送员电话已隐藏")]
    if delivered:
        steps.append((36, "已签收，签收人：本人。感谢使用，期待再次为您服务"))
    trace = []
    for hours, text in steps:
        at = shipped_at + timedelta(hours=hours, minutes=rng.randint(0, 50))
        trace.append({"at": at, "text": text})
    return trace


# ---- what buyers say -----------------------------------------------------------

OPENERS = ["在吗", "你好", "亲，在吗？", "老板在不在", "客服你好", "hello", "有人吗"]
TOPICS = {
    "发货": ["什么时候发货啊？", "今天下单今天能发吗", "我的订单怎么还没发货", "能不能加急发货，周末要用",
             "发什么快递？能发顺丰吗", "已经三天了还没发货"],
    "物流": ["物流一直没更新", "快递到哪了", "显示已签收但我没收到", "能帮我查下物流吗"],
    "尺码": ["{p}我身高165体重110斤穿什么码", "平时穿M，这款要拍大一码吗", "{p}偏大还是偏小",
             "腰围70穿哪个尺码", "L码的衣长多少"],
    "退款": ["我想退款", "不想要了，怎么申请退款", "退货运费谁出", "申请了退款什么时候到账",
             "收到的{p}有质量问题，要退货", "七天无理由可以退吗"],
    "优惠": ["有优惠券吗", "能便宜点吗", "{p}还有活动吗", "满多少减多少", "新人有优惠吗",
             "买两件能打折不", "店铺券怎么领"],
    "商品": ["{p}还有货吗", "{p}是什么材质的", "有{c}的吗", "这个和详情页图片颜色一样吗",
             "是正品吗", "保修多久"],
}
LINKS = ["https://item.taobao.com/item.htm?id={n}", "https://mobile.yangkeduo.com/goods.html?goods_id={n}",
         "http://www.{w}.com/shop/{n}", "加我v信 {w}{n} 发你图", "www点{w}点cn 这家一样的便宜"]
CLOSERS = ["好的谢谢", "知道了", "嗯嗯", "那我再看看", "行吧", "谢谢亲", "👌"]


def buyer_burst(rng: random.Random, product_title: str) -> list[dict]:
    """Several messages in a row, as a buyer types them: text, sometimes an image, link or QR code."""
    topic = rng.choice(list(TOPICS))
    parts: list[dict] = []
    if rng.random() < 0.5:
        parts.append({"type": "text", "text": rng.choice(OPENERS)})
    # Distinct lines: a buyer adds to a question, they do not paste the same one three times.
    for line in rng.sample(TOPICS[topic], rng.randint(1, min(3, len(TOPICS[topic])))):
        parts.append({"type": "text", "text": line.format(p=product_title, c=rng.choice(COLOURS)), "topic": topic})
    roll = rng.random()
    if roll < 0.15:
        parts.append({"type": "image", "image": "photo", "topic": topic})
    elif roll < 0.22:
        parts.append({"type": "image", "image": "qrcode", "topic": topic})
    elif roll < 0.32:
        link = rng.choice(LINKS).format(n=rng.randint(100000, 999999), w=random_token(rng, 5))
        parts.append({"type": "text", "text": link, "topic": "link"})
    return parts


def follow_up(rng: random.Random, product_title: str) -> dict:
    if rng.random() < 0.5:
        return {"type": "text", "text": rng.choice(CLOSERS)}
    topic = rng.choice(list(TOPICS))
    return {"type": "text", "text": rng.choice(TOPICS[topic]).format(p=product_title, c=rng.choice(COLOURS)),
            "topic": topic}


RATING_REASONS = {
    "satisfied": ["回复及时", "态度很好", "解决了问题"],
    "neutral": ["回复有点慢", "问题没完全解决"],
    "disappointed": ["态度差", "回复太慢", "答非所问"],
}
