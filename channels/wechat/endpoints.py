"""Which WeChat OA calls can put something in public: the one table that decides whether a failed
call (5xx, timeout, broken connection) may be sent again.

Publishing is draft → ``freepublish/submit`` (or ``message/mass/sendall``). Only the last step
publishes; a draft, an uploaded image or cover and a token are visible to nobody, so when one of
them fails the whole publish is ``NotSent`` and the engine simply sends it again after backoff.

A retried ``draft/add`` whose first answer was lost (the platform saved the draft, we timed out)
leaves an orphan draft in the account's draft box, and a lost ``material/add_material`` answer an
orphan permanent image. We accept both and do not delete them: we never learnt their
``media_id`` (``draft/delete`` needs it), finding them would cost a ``draft/batchget`` walk per
retry, the draft box is private, and at most one orphan is left per failed attempt (bounded by
the retry limit) against quotas in the thousands. Staff may clear them in the back office.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from channels.base import Absence, CallEffect

#: endpoint (as passed to ``WeChatAPI.call``) → what it can do in public
EFFECTS: Mapping[str, CallEffect] = {
    "cgi-bin/stable_token": CallEffect.PRIVATE,
    "media/uploadimg": CallEffect.PRIVATE,
    "material/add_material": CallEffect.PRIVATE,
    "draft/add": CallEffect.PRIVATE,
    "freepublish/submit": CallEffect.PUBLIC,
    # reaches followers: a failed call is checked first, never resent blindly (ABSENCE below)
    "message/mass/sendall": CallEffect.PUBLIC,
    "freepublish/delete": CallEffect.PUBLIC,
    "message/mass/delete": CallEffect.PUBLIC,
    "message/custom/send": CallEffect.PUBLIC,
    "freepublish/get": CallEffect.READ,
    "freepublish/batchget": CallEffect.READ,
    "message/mass/get": CallEffect.READ,
    # article comments (留言, platforms.md §2.5a): every change is seen by readers at once
    "comment/open": CallEffect.PUBLIC,
    "comment/close": CallEffect.PUBLIC,
    "comment/markelect": CallEffect.PUBLIC,
    "comment/unmarkelect": CallEffect.PUBLIC,
    "comment/delete": CallEffect.PUBLIC,
    "comment/reply/add": CallEffect.PUBLIC,
    "comment/reply/delete": CallEffect.PUBLIC,
    "comment/list": CallEffect.READ,
    # statistics (datacube): read only
    "datacube/getarticlesummary": CallEffect.READ,
    "datacube/getusersummary": CallEffect.READ,
    "datacube/getusercumulate": CallEffect.READ,
}

#: publishing endpoint → what it means that a lookup by key did not find its post.
#: ``freepublish/batchget`` lists finished articles only, and ``freepublish/get`` needs the
#: publish_id a lost answer never gave us: a submit not found may still be processing. A mass
#: send is not listed there at all, but the platform answers a repeated ``clientmsgid`` with
#: the first msg_id (45065) while it remembers it, so the resend is itself the lookup.
ABSENCE: Mapping[str, Absence] = {
    "freepublish/submit": Absence.MAY_BE_PROCESSING,
    "message/mass/sendall": Absence.IDEMPOTENT,
}
#: how long the platform remembers a mass send's ``clientmsgid``: 24 hours (the 群发 API page,
#: 防止重复推送; not yet in ../shared/platforms.md)
CLIENTMSGID_WINDOW = timedelta(hours=24)
