"""Every published signing vector from issue 4, reproduced exactly, plus the unpublished schemes' rules."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given, settings, strategies as st

from workstation.shops import signing


def test_pdd_published_vector():
    params = {"type": "pdd.order.number.list.get", "client_id": "1", "timestamp": "1480411125", "data_type": "XML",
              "access_token": "asd78172s8ds9a921j9qqwda12312w1w21211", "order_status": "1", "page": "1",
              "page_size": "10"}
    assert signing.pdd_sign(params, "testSecret") == "E4DE3ED21002510DED352819E7AE6775"
    # `sign` itself never takes part
    assert signing.pdd_sign({**params, "sign": "whatever"}, "testSecret") == "E4DE3ED21002510DED352819E7AE6775"


def test_top_published_vector_md5():
    params = {"app_key": "12345678", "fields": "num_iid,title,nick,price,num", "format": "json",
              "method": "taobao.item.seller.get", "num_iid": "11223344", "session": "test", "sign_method": "md5",
              "timestamp": "2016-01-01 12:00:00", "v": "2.0"}
    assert signing.top_sign(params, "helloworld") == "66987CB115214E59E6EC978214934FB8"


def test_top_hmac_variants_key_by_secret_and_skip_empty_values():
    params = {"method": "taobao.time.get", "app_key": "k", "v": "2.0", "sign_method": "hmac", "empty": ""}
    pairs = "app_keykmethodtaobao.time.getsign_methodhmacv2.0"
    assert signing.top_sign(params, "s") == hmac.new(b"s", pairs.encode(), hashlib.md5).hexdigest().upper()
    params["sign_method"] = "hmac-sha256"
    pairs = pairs.replace("hmac", "hmac-sha256")
    assert signing.top_sign(params, "s") == hmac.new(b"s", pairs.encode(), hashlib.sha256).hexdigest().upper()
    with pytest.raises(ValueError):
        signing.top_sign(params, "s", "sha1")


def test_jd_published_vector():
    payload = ('{"end_date":null,"optional_fields":null,"order_state":"WAIT_SELLER_STOCK_OUT","page":"1",'
               '"page_size":"200","start_date":null}')
    params = {"360buy_param_json": payload, "access_token": "yourtoken", "app_key": "yourappkey",
              "method": "jingdong.pop.order.search", "timestamp": "2021-05-07 09:20:39.683+0800", "v": "2.0",
              "format": "json"}  # not one of the six signed parameters
    assert signing.jd_sign(params, "yourappSecret") == "D70825340F4084360B9362B60DFD7930"


def test_douyin_signs_fixed_order_with_hmac_sha256_lower_hex():
    param_json = signing.douyin_param_json({"order_id": "123", "b": 1, "a": "中"})
    assert param_json == '{"a":"中","b":1,"order_id":"123"}'
    assert signing.douyin_method("/order/orderDetail") == "order.orderDetail"
    text = ("sec" + "app_keyk1methodorder.orderDetailparam_json" + param_json + "timestamp2024-01-01 00:00:00v2"
            + "sec")
    expected = hmac.new(b"sec", text.encode(), hashlib.sha256).hexdigest()
    assert signing.douyin_sign("k1", "order.orderDetail", param_json, "2024-01-01 00:00:00", "sec") == expected
    assert expected == expected.lower()


def test_kuaishou_md5_and_hmac_sha256_with_separate_sign_secret():
    params = {"access_token": "t", "appkey": "ak", "method": "open.item.get", "param": '{"kwaiItemId":1}',
              "signMethod": "MD5", "timestamp": "1700000000000", "version": "1", "sign": "x"}
    text = ('access_token=t&appkey=ak&method=open.item.get&param={"kwaiItemId":1}&signMethod=MD5'
            '&timestamp=1700000000000&version=1&signSecret=ss')
    assert signing.kuaishou_sign(params, "ss") == hashlib.md5(text.encode()).hexdigest()
    params["signMethod"] = "HMAC_SHA256"
    text = text.replace("MD5", "HMAC_SHA256")
    digest = hmac.new(b"ss", text.encode(), hashlib.sha256).digest()
    assert signing.kuaishou_sign(params, "ss") == base64.b64encode(digest).decode()


@settings(deadline=None, max_examples=60)
@given(st.dictionaries(st.text("abcdefghij_", min_size=1, max_size=8), st.text(max_size=12), max_size=8),
       st.text(min_size=1, max_size=10))
def test_pdd_signature_ignores_parameter_order(params, secret):
    reordered = dict(reversed(list(params.items())))
    assert signing.pdd_sign(params, secret) == signing.pdd_sign(reordered, secret)
