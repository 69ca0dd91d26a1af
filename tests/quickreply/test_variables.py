from hypothesis import given, strategies as st

from workstation.quickreply.variables import (
    SAMPLE_CONTEXT, ConversationContext, render, unknown_variables,
)


def test_values_and_fallbacks():
    context = ConversationContext(buyer_nick="小米粥", order_id="")
    rendered = render("{买家昵称|亲}，订单{订单号|已记录}，{店铺名|}欢迎您", context)
    assert rendered.text == "小米粥，订单已记录，欢迎您"
    assert rendered.ready


def test_unfilled_variable_is_kept_and_reported_with_its_span():
    rendered = render("亲，订单 {订单号} 已发出，{商品名} 请查收", ConversationContext())
    assert not rendered.ready
    spans = [(v.name, rendered.text[v.start:v.end]) for v in rendered.unfilled]
    assert spans == [("订单号", "{订单号}"), ("商品名", "{商品名}")]
    assert "订单号" in rendered.warning() and "商品名" in rendered.warning()


def test_spans_follow_filled_values_of_other_lengths():
    rendered = render("{买家昵称}您好 {订单号}", ConversationContext(buyer_nick="一个很长很长的昵称"))
    (only,) = rendered.unfilled
    assert rendered.text[only.start:only.end] == "{订单号}"


def test_braces_that_are_not_variables_stay_text():
    assert render("亲 {^_^} 么么哒 {}", SAMPLE_CONTEXT).text == "亲 {^_^} 么么哒 {}"
    assert unknown_variables("{买家名}您好{买家昵称}") == ["买家名"]


@given(st.text(alphabet=st.sampled_from(list("亲{}|订单号买家昵称 ab")), max_size=40),
       st.sampled_from(["", "小米粥"]))
def test_every_reported_span_is_a_placeholder(text, nick):
    rendered = render(text, ConversationContext(buyer_nick=nick))
    for variable in rendered.unfilled:
        assert rendered.text[variable.start:variable.end] == "{" + variable.name + "}"
