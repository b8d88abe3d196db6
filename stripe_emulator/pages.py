"""The pages behind the emulator's links: Stripe's hosted onboarding (an Account Link's url) and
the Express dashboard (a login link's url), reduced to what a test or a demo needs."""

from __future__ import annotations

import html

from aiohttp import web

from stripe_emulator.connect import finish_onboarding
from stripe_emulator.objects import balance
from stripe_emulator.state import EMULATOR, now

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}"
    "button{font-size:1rem;padding:.6rem 1rem;margin:.3rem .5rem .3rem 0}"
    "table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd}"
)


def _page(title: str, body: str, status: int = 200) -> web.Response:
    text = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta name='viewport' content='width=device-width'><style>{STYLE}</style></head>"
        f"<body><p><small>Stripe emulator (test mode)</small></p>{body}</body></html>"
    )
    return web.Response(text=text, status=status, content_type="text/html")


def _link(emu, request: web.Request):
    link = emu.store.links.get(request.match_info["token"])
    if link is None:
        raise web.HTTPNotFound(text="This onboarding link does not exist.")
    if link.used or now() > link.expires_at:
        raise web.HTTPSeeOther(link.refresh_url)
    return link


async def onboarding(request: web.Request) -> web.Response:
    emu = request.app[EMULATOR]
    link = _link(emu, request)
    if link.opened:
        raise web.HTTPSeeOther(link.refresh_url)
    link.opened = True
    account = emu.store.accounts[link.account]
    who = html.escape(account.get("email") or account["id"])
    return _page(
        "Set up payouts",
        f"<h1>Set up payouts for {who}</h1>"
        f"<p>Account <code>{account['id']}</code>. Real Stripe would ask for identity and bank "
        "details here.</p><form method='post'>"
        "<button name='outcome' value='complete'>Complete onboarding</button>"
        "<button name='outcome' value='incomplete'>Leave incomplete</button></form>",
    )


async def onboarding_submit(request: web.Request) -> web.Response:
    emu = request.app[EMULATOR]
    link = _link(emu, request)
    form = await request.post()
    link.used = True
    finish_onboarding(emu, link.account, complete=form.get("outcome") == "complete")
    raise web.HTTPSeeOther(link.return_url)


async def express_dashboard(request: web.Request) -> web.Response:
    emu = request.app[EMULATOR]
    account_id = emu.store.login_links.get(request.match_info["token"])
    if account_id not in emu.store.accounts:
        raise web.HTTPNotFound(text="This login link does not exist.")
    account = emu.store.accounts[account_id]
    money = balance(emu.store.balances.get(account_id, {}), account["default_currency"])
    rows = "".join(
        f"<tr><td>{t['id']}</td><td>{t['amount'] - t['amount_reversed']} "
        f"{t['currency']}</td><td>{html.escape(t['transfer_group'] or '')}</td></tr>"
        for t in emu.store.transfers.values()
        if t["destination"] == account_id
    )
    payouts = "".join(
        f"<tr><td>{p['id']}</td><td>{p['amount']} {p['currency']}</td><td>{p['status']}</td></tr>"
        for p in emu.store.payouts.values()
        if p["_account"] == account_id
    )
    available = ", ".join(f"{b['amount']} {b['currency']}" for b in money["available"])
    return _page(
        "Express dashboard",
        f"<h1>{html.escape(account.get('email') or account_id)}</h1>"
        f"<p>Available balance (minor units): {available}</p>"
        f"<h2>Transfers</h2><table><tr><th>id</th><th>net amount</th><th>group</th></tr>{rows}"
        f"</table><h2>Payouts</h2><table><tr><th>id</th><th>amount</th><th>status</th></tr>"
        f"{payouts}</table>",
    )
