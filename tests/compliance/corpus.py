"""Ordinary customer-service replies, generated from realistic templates (deterministic per seed).

They carry the benign look-alikes the filter must let through: order and tracking numbers in
each platform's format, prices, weights, sizes, dates, model numbers, the platform's own
links, 仿古/仿真/仿佛, 正品保证, polite refusals to add WeChat. Also used by bench/compliance.py.
"""

from __future__ import annotations

import random

PLATFORMS = ("pdd", "taobao", "douyin", "kuaishou", "jd")

GREETINGS = ["", "亲，", "亲亲，", "您好，", "在的亲，", "您好亲，", "亲爱的，", "宝，", "好的亲，", "收到，"]
CLOSINGS = ["", "", "哦", "～", "呢", "，谢谢亲", "，祝您生活愉快", "，有问题随时找我", "。", "！", "😊", "[微笑]", "，感谢支持"]
PRODUCTS = ["连衣裙", "羽绒服", "保温杯", "蓝牙耳机", "电饭煲", "床上四件套", "运动鞋", "儿童书包", "扫地机器人",
            "洗面奶", "坚果礼盒", "手机壳", "空气炸锅", "加湿器", "毛衣", "牛仔裤", "行李箱", "仿古台灯", "仿真花束",
            "仿皮沙发套", "USB充电线", "滚筒洗衣机", "卫星定位手表", "企鹅玩偶", "去死皮膏", "垃圾袋", "茶叶", "猫粮"]
COURIERS = ["顺丰", "中通", "圆通", "韵达", "申通", "极兔", "京东物流", "邮政", "德邦"]
COLOURS = ["黑色", "白色", "米白", "雾霾蓝", "酒红", "卡其", "浅灰", "藏青"]
SIZES = ["S", "M", "L", "XL", "2XL", "160/84A", "165/88A", "170/92A", "36码", "38码", "40码", "42码"]
OWN_LINKS = {
    "pdd": ["https://mobile.yangkeduo.com/goods.html?goods_id={n9}", "mobile.yangkeduo.com/goods2.html?goods_id={n9}"],
    "taobao": ["https://item.taobao.com/item.htm?id={n12}", "https://detail.tmall.com/item.htm?id={n12}", "https://m.tb.cn/h.{a6}"],
    "douyin": ["https://haohuo.jinritemai.com/views/product/item2?id={n19}", "https://v.douyin.com/{a6}/"],
    "kuaishou": ["https://app.kwaixiaodian.com/page/kwaishop-buyer-goods-detail?id={n12}", "https://v.kuaishou.com/{a6}"],
    "jd": ["https://item.jd.com/{n9}.html", "https://item.m.jd.com/product/{n9}.html"],
}

TEMPLATES = [
    "{g}您的订单已经发货了，{courier}快递，单号{tracking}，预计{days}天左右送达{c}",
    "{g}订单号{order}已经帮您备注加急了{c}",
    "{g}帮您查了一下，订单 {order} 目前在仓库打包中，今天{time}前会发出{c}",
    "{g}{product}现在有活动，满{p1}减{p2}，到手价{price}元{c}",
    "{g}这款{product}是{colour}的，{size}码还有货{c}",
    "{g}您身高{height}cm、体重{weight}斤的话，建议选{size}{c}",
    "{g}我们家是品牌授权店，正品保证，假一赔十，您放心购买{c}",
    "{g}快递单号是 {tracking}，您可以在订单详情里查看物流{c}",
    "{g}退款已经处理了，{amount}元会原路退回，一般1-3个工作日到账{c}",
    "{g}优惠券{p2}元已经发给您了，有效期到{month}月{day}日，记得使用{c}",
    "{g}这个型号是{model}，和{model2}的区别是电池容量更大{c}",
    "{g}净重{grams}g，保质期{months}个月，生产日期{date}{c}",
    "{g}尺寸是{cm}cm×{cm2}cm，重量{kg}kg{c}",
    "{g}本店{month}月{day}日{hour}点开始大促，第2件半价{c}",
    "{g}商品链接在这里：{own_link}，直接下单就可以{c}",
    "{g}平台规定不能加微信哦，有问题在这里找我就行{c}",
    "{g}为了您的资金安全，请勿私下转账，在平台下单有保障{c}",
    "{g}我们没有实体店，只在网上销售{c}",
    "{g}这款台灯是仿古设计，灯罩是仿皮材质{c}",
    "{g}仿真花不用浇水，放在客厅仿佛真的一样{c}",
    "{g}不知道您对收到的{product}还满意吗{c}",
    "{g}有不清楚的地方随时问我{c}",
    "{g}图片不清楚的话，麻烦您重新拍一张发我{c}",
    "{g}请问有什么可以帮您？",
    "{g}您说的是哪个颜色呢？{colour}还是{colour2}？",
    "{g}支持微信支付和支付宝付款，在平台下单时选择就可以{c}",
    "{g}已经帮您申请了补发，新单号会在24小时内更新{c}",
    "{g}麻烦您提供一下订单号，我帮您查询{c}",
    "{g}这边看到您的订单{order}还没付款，库存有限，尽快付款哦{c}",
    "{g}七天无理由退换，运费险已经帮您买了{c}",
    "{g}您的地址是{city}{district}{road}{num}号吗？确认一下哦{c}",
    "{g}我们的仓库在{city}，一般{hour}点前下单当天发{c}",
    "{g}USB接口是Type-C的，充电{hours}小时可以用{days}天{c}",
    "{g}这款手表有卫星定位，{colour}和{colour2}两种{c}",
    "{g}滚筒洗衣机的安装师傅会在{days}天内联系您{c}",
    "{g}已登记，您反馈的问题我们会在{hours}小时内回复{c}",
    "{g}麻烦您拍一下外包装和条码的照片，我们核实后给您处理{c}",
    "{g}{product}的版本是v{ver}，支持{model}配件{c}",
    "{g}价格是¥{price}，今天下单送{gift}{c}",
    "{g}第{n1}件{discount}折，{p1}元包邮{c}",
    "{g}这批货{month}.{day}号到仓，到了第一时间给您发{c}",
    "{g}您好，在的，{product}今天{time}前下单都能发{c}",
    "{g}好的，已经给您备注{colour}、{size}码了{c}",
    "{g}京东物流一般次日达，偏远地区{days}天左右{c}",
    "{g}发票会在确认收货后{days}个工作日内开具，抬头填写在订单备注里就行{c}",
    "{g}退货地址在退货申请通过后系统会自动显示{c}",
    "{g}您的快递显示已签收，如果没收到请联系{courier}快递员或者我帮您查{c}",
    "{g}抱歉让您久等了，这个问题我马上帮您处理{c}",
    "{g}理解您的心情，非常抱歉给您带来不便{c}",
    "{g}您也可以申请平台客服介入，我们会配合处理{c}",
    "{g}这款是{year}年新款，{colour}是今年的流行色{c}",
    "{g}亲测{product}的容量是{ml}ml，可以装{n1}杯水{c}",
    "{g}拍下后{hours}小时内发货，超时会自动赔付{c}",
    "{g}商品编码{sku}，您核对一下包装上的编号{c}",
    "{g}订单{order}的退款我已经同意了，您留意一下退款进度{c}",
    "{g}型号VX2479的显示器支持壁挂，挂架需要另外购买{c}",
    "{g}运单号{tracking}显示今天{time}已到{city}转运中心{c}",
    "{g}买{n1}送{n2}的活动到{month}月{day}日结束{c}",
    "{g}这个颜色卖得很好，{colour}只剩{n1}件了{c}",
    "{g}包装是加厚纸箱加气泡膜，运输不会压坏{c}",
    "{g}包装上的二维码是防伪码，扫码可以验证真伪{c}",
    "{g}您的联系方式平台已经加密保护，我们看不到完整号码{c}",
    "{g}我们是品牌官方授权店，{product}保证正品{c}",
    "{g}平台会在48小时内介入处理，请您耐心等待{c}",
    "{g}快递员会提前电话联系您，请保持手机畅通{c}",
    "{g}付款方式支持微信支付、支付宝和银行卡，都在平台下单时选择{c}",
    "{g}我把商品链接发您，您点开直接下单就行{c}",
    "{g}请核对一下收货地址和电话是否正确{c}",
    "{g}和实体店同款同质，价格更优惠{c}",
    "{g}非质量问题退货需要您承担来回运费{c}",
    "{g}发票复印件可以在订单详情里下载{c}",
    "{g}别傻等了，我这边帮您催一下快递{c}",
    "{g}手机卡死的话长按电源键10秒重启就好{c}",
    "{g}这款是仿生材质，手感很软{c}",
    "{g}{product}采用杀菌材料，无毒无害{c}",
    "{g}这个颜色打死也不会掉色的，放心{c}",
    "{g}您等着收货就好，有问题随时找我{c}",
    "{g}收拾好包裹后在订单里点退货，填写单号就行{c}",
    "{g}路上堵车了，快递可能会晚一点到{c}",
    "{g}热熔胶枪和胶棒是分开卖的，需要的话一起拍{c}",
    "{g}可以开发票的，下单时备注抬头和税号{c}",
    "{g}我也理解您着急，我马上联系仓库确认{c}",
    "{g}这款是{year}年的新版，说明书有中英文两个版本{c}",
    "{g}您好，这边看到您申请了退款，请问是什么原因呢？",
    "{g}您说的是哪一款？麻烦发一下商品链接或者截图{c}",
    "{g}麻烦您把快递面单拍一下发我{c}",
    "{g}尺码偏小，建议拍大一码，比如平时穿{size}就拍大一号{c}",
    "{g}主播推荐的这款{product}今天有直播间专属价{c}",
    "{g}质检报告在商品详情页最下面可以看到{c}",
    "{g}很抱歉，{product}目前缺货，预计{month}月{day}日补货{c}",
    "{g}差价{p2}元已经通过平台退给您了，请查收{c}",
    "{g}赠品是随机发的，颜色不能指定哦{c}",
    "{g}如果收到有破损，拍照片发我，给您补发或者退款{c}",
    "{g}订单号是{order}，对吗？我帮您查一下物流{c}",
    "{g}我们的客服工作时间是早上9点到晚上11点{c}",
    "{g}这款保温杯可以装开水，滚开的水也没问题{c}",
    "{g}外观和官网图片一致，支持专柜验货{c}",
    "{g}您看一下是不是填错了手机号，快递那边显示联系不上{c}",
]


def _digits(rng: random.Random, n: int, first: str = "") -> str:
    return first + "".join(rng.choice("0123456789") for _ in range(n - len(first)))


def _order(rng: random.Random, platform: str) -> str:
    if platform == "pdd":
        return f"{rng.randint(23, 26)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{_digits(rng, 15)}"
    if platform == "taobao":
        return _digits(rng, 19, rng.choice("1234"))
    if platform == "douyin":
        return _digits(rng, 19, rng.choice(["69", "49", "50"]))
    if platform == "kuaishou":
        return _digits(rng, 16, rng.choice(["24", "25", "23"]))
    return _digits(rng, 12, rng.choice("23"))


def _tracking(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return "SF" + _digits(rng, 13)
    if kind == 1:
        return "YT" + _digits(rng, 13)
    if kind == 2:
        return "JT" + _digits(rng, 13)
    if kind == 3:
        return _digits(rng, 14, rng.choice(["73", "75", "78"]))
    if kind == 4:
        return "EA" + _digits(rng, 9) + "CN"
    return _digits(rng, 13, rng.choice(["43", "46", "31"]))


def _slots(rng: random.Random, platform: str) -> dict[str, str]:
    a6 = "".join(rng.choice("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    price = rng.choice([f"{rng.randint(9, 999)}.{rng.choice(['00', '90', '99', '9'])}", str(rng.randint(9, 1999))])
    link = rng.choice(OWN_LINKS[platform]).format(n9=_digits(rng, 9, "1"), n12=_digits(rng, 12, "6"),
                                                  n19=_digits(rng, 19, "3"), a6=a6)
    colours = rng.sample(COLOURS, 2)
    return {
        "g": rng.choice(GREETINGS), "c": rng.choice(CLOSINGS), "courier": rng.choice(COURIERS),
        "tracking": _tracking(rng), "order": _order(rng, platform), "days": str(rng.randint(1, 5)),
        "time": rng.choice(["下午4点", "18:00", "晚上8点", "17:30", "中午12点"]), "product": rng.choice(PRODUCTS),
        "p1": str(rng.choice([99, 129, 199, 299])), "p2": str(rng.choice([5, 10, 20, 30, 50])), "price": price,
        "colour": colours[0], "colour2": colours[1], "size": rng.choice(SIZES), "height": str(rng.randint(150, 190)),
        "weight": str(rng.randint(80, 200)), "amount": price, "month": str(rng.randint(1, 12)),
        "day": str(rng.randint(1, 28)), "model": rng.choice(["VX2479", "RTX4060", "A2894", "GT-5000", "XM-12", "KJ200F"]),
        "model2": rng.choice(["VX2478", "A2893", "GT-4000", "XM-10"]), "grams": str(rng.choice([250, 500, 1000])),
        "months": str(rng.choice([6, 12, 18, 24])),
        "date": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}", "cm": str(rng.randint(10, 120)),
        "cm2": str(rng.randint(10, 120)), "kg": f"{rng.randint(0, 30)}.{rng.randint(0, 9)}",
        "hour": str(rng.randint(8, 20)), "own_link": link,
        "city": rng.choice(["杭州市", "广州市", "义乌市", "深圳市", "苏州市", "成都市"]),
        "district": rng.choice(["西湖区", "白云区", "福田区", "工业园区", "武侯区"]),
        "road": rng.choice(["文三路", "机场路", "深南大道", "星湖街", "人民南路"]), "num": str(rng.randint(1, 999)),
        "hours": str(rng.choice([2, 4, 24, 48, 72])), "ver": f"{rng.randint(1, 5)}.{rng.randint(0, 9)}",
        "gift": rng.choice(["收纳袋", "小样", "试用装", "杯刷"]), "n1": str(rng.randint(1, 9)), "n2": "1",
        "discount": str(rng.choice([5, 6, 7, 8, 9])), "year": str(rng.choice([2025, 2026])),
        "ml": str(rng.choice([350, 500, 750, 1000])), "sku": f"{rng.choice('ABCDEFGH')}{_digits(rng, 8)}",
    }


def benign_replies(n: int = 2400, seed: int = 6) -> list[tuple[str, str]]:
    """n distinct (reply, platform) pairs."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    while len(out) < n:
        platform = rng.choice(PLATFORMS)
        text = rng.choice(TEMPLATES).format(**_slots(rng, platform))
        if text not in seen:
            seen.add(text)
            out.append((text, platform))
    return out


VIOLATIONS = [
    "亲，这款是高仿的，和专柜一样", "加我V信 kefu{n}，私聊有优惠", "我的手机号 138 {n4} {n4b}", "www点shop{n}点com 上更便宜",
    "这个是精 仿款，质量很好", "转账到 6222 0212 {n4} {n4b} 123", "你是不是傻@逼", "我是拼多多官方客服，帮您处理",
    "扣扣 {n}{n4}", "邮箱 kefu{n}@163.com", "https://shop{n}.example.cn/item", "gao仿的，放心",
]


def write_corpus(path) -> None:
    """Regenerate tests/compliance/data/benign_replies.tsv (platform<TAB>reply per line)."""
    from pathlib import Path

    rows = benign_replies()
    Path(path).write_text("".join(f"{platform}\t{text}\n" for text, platform in rows), encoding="utf-8")


def load_corpus(path) -> list[tuple[str, str]]:
    from pathlib import Path

    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        platform, text = line.split("\t", 1)
        rows.append((text, platform))
    return rows


def realistic_messages(n: int, seed: int = 7, violation_share: float = 0.05) -> list[tuple[str, str]]:
    """Benign replies with a share of violations mixed in, for the benchmark."""
    rng = random.Random(seed)
    benign = benign_replies(min(n, 20000), seed)
    out = []
    for i in range(n):
        if rng.random() < violation_share:
            template = rng.choice(VIOLATIONS)
            out.append((template.format(n=rng.randint(10, 999), n4=_digits(rng, 4), n4b=_digits(rng, 4)),
                        rng.choice(PLATFORMS)))
        else:
            out.append(benign[i % len(benign)])
    return out


if __name__ == "__main__":
    from pathlib import Path

    write_corpus(Path(__file__).with_name("data") / "benign_replies.tsv")
