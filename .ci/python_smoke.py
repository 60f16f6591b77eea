"""Smoke test of the Python client that openapi-python-client generates from the lowered spec.

Run by .ci/foreign-clients.sh against the running sandbox, with the generator's output folder
(the one holding the package `adsterra_advertiser_api_client`) on PYTHONPATH:

    PYTHONPATH=.tools/pyclient-out SANDBOX_URL=http://127.0.0.1:PORT/advertiser SANDBOX_TOKEN=... \
        .tools/pyclient/bin/python .ci/python_smoke.py

Only the generated typed functions are used: this proves the spec drives a working client in
another language, not that httpx works. Prints one line per check; exits non-zero with a
message on the first failure.
"""

import datetime
import os
import sys
from http import HTTPStatus

from adsterra_advertiser_api_client import AuthenticatedClient
from adsterra_advertiser_api_client.api.balance import get_balance, get_balance_csv, get_balance_xml
from adsterra_advertiser_api_client.api.blacklist import (
    add_to_blacklist,
    get_campaign_blacklist,
)
from adsterra_advertiser_api_client.api.campaigns import get_campaigns
from adsterra_advertiser_api_client.api.stats import get_stats
from adsterra_advertiser_api_client.models import (
    Balance,
    CampaignList,
    PlacementIdList,
    PlacementLinkingChange,
    StatsGroupBy,
    StatsList,
)
from adsterra_advertiser_api_client.types import UNSET


def fail(message: str) -> None:
    sys.exit(f"python client smoke test FAILED: {message}")


def ok(response, model, what: str):
    """The parsed body of a 200 response of the expected generated model type."""
    if response.status_code != HTTPStatus.OK:
        fail(f"{what}: HTTP {response.status_code}: {response.content[:300]!r}")
    if not isinstance(response.parsed, model):
        fail(f"{what}: parsed as {type(response.parsed).__name__}, expected {model.__name__}")
    return response.parsed


def main() -> None:
    url, token = os.environ.get("SANDBOX_URL"), os.environ.get("SANDBOX_TOKEN")
    if not url or not token:
        fail("set SANDBOX_URL and SANDBOX_TOKEN")
    # The spec's security scheme is an apiKey in the `X-API-Key` header: no `Bearer` prefix.
    client = AuthenticatedClient(
        base_url=url, token=token, prefix="", auth_header_name="X-API-Key", raise_on_unexpected_status=True
    )
    with client:
        balance = ok(get_balance.sync_detailed(client=client), Balance, "get_balance").balance
        if type(balance) not in (int, float) or balance <= 0:
            fail(f"get_balance: balance {balance!r} is not a positive number")
        print(f"balance: {balance} > 0")

        # CSV is text/* to the generator; XML is text too through .ci/pyclient-config.yaml.
        csv = ok(get_balance_csv.sync_detailed(client=client), str, "get_balance_csv")
        xml = ok(get_balance_xml.sync_detailed(client=client), str, "get_balance_xml")
        if csv.split() != ["balance", str(balance)]:
            fail(f"get_balance_csv: expected a `balance` column with {balance}, got {csv!r}")
        if f"<balance>{balance}</balance>" not in xml:
            fail(f"get_balance_xml: no <balance>{balance}</balance> in {xml!r}")
        print(f"balance.csv and balance.xml: str bodies with the same {balance}")

        campaigns = ok(get_campaigns.sync_detailed(client=client), CampaignList, "get_campaigns").items
        if not campaigns:
            fail("get_campaigns: no campaigns")
        bad = [c.id for c in campaigns if type(c.id) is not int]
        if bad:
            fail(f"get_campaigns: ids that are not int: {bad!r}")
        print(f"campaigns: {len(campaigns)}, every id an int (first {campaigns[0].id})")

        start, finish = datetime.date(2026, 11, 1), datetime.date(2026, 11, 27)
        stats = ok(
            get_stats.sync_detailed(
                client=client,
                start_date=start,
                finish_date=finish,
                group_by=[StatsGroupBy.DATE, StatsGroupBy.CAMPAIGN],
            ),
            StatsList,
            "get_stats",
        ).items
        if not stats:
            fail("get_stats: no rows")
        for row in stats:
            if not isinstance(row.date, datetime.date) or not start <= row.date <= finish:
                fail(f"get_stats: row without a date in {start}..{finish}: {row.to_dict()}")
            if row.campaign is UNSET or type(row.campaign) is not int:
                fail(f"get_stats: row without an int campaign: {row.to_dict()}")
        days, ids = len({r.date for r in stats}), len({r.campaign for r in stats})
        print(f"stats group_by[]=date,campaign {start}..{finish}: {len(stats)} rows, {days} days x {ids} campaigns")

        campaign_id = campaigns[0].id
        before = ok(
            get_campaign_blacklist.sync_detailed(campaign_id, client=client), PlacementIdList, "get_campaign_blacklist"
        ).placement_ids
        placement = 15413270
        while placement in before:  # a placement not yet listed, so the write is visible
            placement += 1
        ok(
            add_to_blacklist.sync_detailed(
                client=client, body=PlacementLinkingChange(campaign_id=campaign_id, placement_ids=[placement])
            ),
            PlacementIdList,
            "add_to_blacklist",
        )
        after = ok(
            get_campaign_blacklist.sync_detailed(campaign_id, client=client), PlacementIdList, "get_campaign_blacklist"
        ).placement_ids
        if placement not in after:
            fail(f"blacklist of campaign {campaign_id}: added {placement}, read back {after!r}")
        print(f"blacklist: add_to_blacklist({campaign_id}, [{placement}]) read back ({len(before)} -> {len(after)})")


if __name__ == "__main__":
    main()
