"""When an agent may invite the buyer to rate the service (邀请评价).

SPEC: invite a rating only after the buyer's problem is solved. The seed article on
快手 service ratings advises inviting right after the problem is handled and never
before (“避免出现用户问题还未解决就邀评”), because one poor rating needs four good
ones to recover. Each platform's chat tool also limits how often one may invite;
the limits below are modelled on those tools' in-app behaviour (one invitation per
conversation everywhere; 拼多多, 淘宝/千牛 and 京东 咚咚 also once per buyer per
24 hours). They are not published rule texts: this table is the one place to adjust.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workstation.commerce.money import china_time
from workstation.domain.platforms import Platform

# Invitations older than this belong to an earlier service session of the conversation.
SESSION_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class RatingPolicy:
    per_conversation: int
    buyer_cooldown: timedelta | None
    rule: str


POLICIES: dict[Platform, RatingPolicy] = {
    Platform.PDD: RatingPolicy(1, timedelta(hours=24), "拼多多客服工具：每个会话限邀请一次，同一买家24小时内限一次"),
    Platform.TAOBAO: RatingPolicy(1, timedelta(hours=24), "千牛：每个会话限邀请一次，同一买家24小时内限一次"),
    Platform.DOUYIN: RatingPolicy(1, None, "抖店飞鸽：每个会话限邀评一次"),
    Platform.KUAISHOU: RatingPolicy(1, None, "快手小店客服：每个会话限邀请一次，问题解决后再邀评"),
    Platform.JD: RatingPolicy(1, timedelta(hours=24), "京东咚咚：每个会话限邀请一次，同一买家24小时内限一次"),
}


@dataclass(frozen=True, slots=True)
class RatingState:
    allowed: bool
    reason: str          # why the button is disabled, or the platform's rule when it is enabled
    solved: bool
    invited_at: datetime | None = None


def rating_state(platform: Platform, conversation_id: str, solved_at: datetime | None,
                 invitations: list[dict], now: datetime) -> RatingState:
    """`invitations`: this buyer's invitations in the shop, newest first ({conversation_id, invited_at})."""
    policy = POLICIES[Platform(platform)]
    here = [i for i in invitations if i["conversation_id"] == conversation_id and now - i["invited_at"] < SESSION_WINDOW]
    last_here = here[0]["invited_at"] if here else None
    if solved_at is None:
        if last_here is not None:
            return RatingState(False, f"本次会话已于 {china_time(last_here, now)} 邀请过评价。", False, last_here)
        return RatingState(False, "请先勾选“问题已解决”再邀请评价：问题没解决就邀评，容易换来差评。", False)
    if len(here) >= policy.per_conversation:
        return RatingState(False, f"本次会话已于 {china_time(last_here, now)} 邀请过评价（{policy.rule}）。",
                           True, last_here)
    if policy.buyer_cooldown is not None and invitations:
        latest = invitations[0]["invited_at"]
        if now - latest < policy.buyer_cooldown:
            again = latest + policy.buyer_cooldown
            return RatingState(False, f"该买家 {china_time(latest, now)} 已被邀请过评价，{china_time(again, now)} 后才能再邀请"
                                      f"（{policy.rule}）。", True, latest)
    return RatingState(True, policy.rule, True)
