"""Account setup (first run and "Account" in the palette) and "Switch account".

Steps: server URL with a connection test that diagnoses plainly; then either choose an account the
server already has, link this server to a phone (QR code drawn in the terminal, renewed before it
expires, while /v1/accounts is polled for the new number), or register a number (SMS/voice,
captcha when asked, code and PIN). The result (url, account) is saved to the config file and the
screen dismisses with the new Config (None when cancelled). All server calls go through
core.admin_setup.
"""

from __future__ import annotations

import asyncio
import time
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    Footer,
    Input,
    Label,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from signal_tui.config import Config, ConfigError, save_settings
from signal_tui.core.admin.setup import (
    CAPTCHA_URL,
    LINK_URI_LIFETIME,
    LINKED_DEVICE_NAME,
    AccountSetup,
    Diagnosis,
    diagnose_config,
    normalise_number,
    remember_device,
)
from signal_tui.core.errors import ActionError
from signal_tui.text import plain_line, safe, safe_line
from signal_tui.ui.widgets.qr import QRCode

LINK = "__link__"
REGISTER = "__register__"


DEMO_CODE = "123456"  # what the bundled simulator accepts; shown only in `--demo`


class AccountSetupScreen(Screen[Config | None]):
    """Set up the server and account; dismiss with the saved Config or None."""

    DEFAULT_CSS = """
    AccountSetupScreen #setup-title { height: 1; padding: 0 1; background: $primary; }
    AccountSetupScreen ContentSwitcher { height: 1fr; padding: 0 1; }
    AccountSetupScreen Label { margin-top: 1; color: $text-muted; }
    AccountSetupScreen #diagnosis { margin-top: 1; height: auto; }
    AccountSetupScreen #diagnosis.-bad { color: $error; }
    AccountSetupScreen #diagnosis.-good { color: $success; }
    AccountSetupScreen .buttons { height: auto; margin-top: 1; }
    AccountSetupScreen .buttons Button { margin-right: 2; }
    AccountSetupScreen #choices { height: auto; max-height: 14; }
    AccountSetupScreen #link-pane { height: 1fr; }
    AccountSetupScreen #qr { margin: 0 2 0 0; }
    AccountSetupScreen #link-text { width: 1fr; min-width: 20; }
    AccountSetupScreen #link-state { margin-top: 1; }
    AccountSetupScreen #captcha-box { height: auto; display: none; }
    AccountSetupScreen #captcha-box.-shown { display: block; }
    AccountSetupScreen #setup-status { height: auto; padding: 0 1; color: $text-muted; }
    AccountSetupScreen #setup-status.-error { color: $error; }
    """
    BINDINGS = [Binding("escape", "back", "Back")]
    START = "server"  # "choose": go straight to the account list when the server answers
    TITLE_TEXT = "Account setup"

    def __init__(
        self,
        config: Config,
        *,
        poll_interval: float = 2.0,
        link_lifetime: float = LINK_URI_LIFETIME,
    ) -> None:
        super().__init__()
        self.config = config
        self.url = config.url or ""
        self.diagnosis: Diagnosis | None = None
        self.setup: AccountSetup | None = None
        self.poll_interval = poll_interval
        self.link_lifetime = link_lifetime
        self.link_uri = ""
        self.known_accounts: list[str] = []
        self.register_number = ""

    # --- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(self.TITLE_TEXT, id="setup-title", markup=False)
        with ContentSwitcher(initial="server"):
            with VerticalScroll(id="server"):
                yield Label("Address of your signal-cli-rest-api server")
                yield Input(self.url, placeholder="http://localhost:8080", id="url")
                with Horizontal(classes="buttons"):
                    yield Button("Test connection", id="test", variant="primary")
                    yield Button("Continue", id="continue", disabled=True)
                yield Static("", id="diagnosis")
            with VerticalScroll(id="choose"):
                yield Static("Which account should signal-tui use?", markup=False)
                yield OptionList(id="choices")
            with Horizontal(id="link-pane"):
                yield QRCode(id="qr")
                with Vertical(id="link-text"):
                    yield Static(
                        "On your phone: Signal → Settings → Linked devices → Link new device, "
                        "then point the camera at this code.",
                        markup=False,
                    )
                    yield Static("", id="link-state", markup=False)
            with VerticalScroll(id="register"):
                yield Label("Phone number to register (international form)")
                yield Input(placeholder="+4917612345678", id="number")
                yield Checkbox("Call me instead of sending an SMS", id="voice")
                with Vertical(id="captcha-box"):
                    yield Static("", id="captcha-help")
                    yield Input(placeholder="signalcaptcha://…", id="captcha")
                with Horizontal(classes="buttons"):
                    yield Button("Send code", id="send-code", variant="primary")
                yield Label("Verification code")
                yield Input(placeholder="123-456", id="code")
                yield Label("Registration lock PIN (only if you set one)")
                yield Input(placeholder="optional", password=True, id="pin")
                with Horizontal(classes="buttons"):
                    yield Button("Verify", id="verify", variant="primary")
        yield Static("", id="setup-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#url", Input).focus()
        if self.url:
            self.test_connection(then_continue=self.START == "choose")

    # --- helpers ------------------------------------------------------------------------------
    def show(self, pane: str) -> None:
        self.query_one(ContentSwitcher).current = pane
        focus = {"server": "#url", "choose": "#choices", "register": "#number"}.get(pane)
        if focus:
            self.query_one(focus).focus()

    def status(self, text: object, error: bool = False) -> None:
        widget = self.query_one("#setup-status", Static)
        widget.set_class(error, "-error")
        widget.update(safe(text))

    def _setup(self) -> AccountSetup:
        if self.setup is None or self.setup.config.url != self.url:
            self.setup = AccountSetup(self.config.replace(url=self.url))
        return self.setup

    def action_back(self) -> None:
        pane = self.query_one(ContentSwitcher).current
        if pane in ("link-pane", "register"):
            self.workers.cancel_group(self, "link")
            self.show("choose")
        elif pane == "choose":
            self.show("server")
        else:
            self.dismiss(None)

    async def on_unmount(self) -> None:
        if self.setup is not None:
            await self.setup.aclose()

    # --- step 1: server -------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "url":
            self.test_connection(then_continue=True)
        elif event.input.id == "captcha" or event.input.id == "number":
            self.request_code()
        elif event.input.id in ("code", "pin"):
            self.verify_code()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        bid = event.button.id
        if bid == "test":
            self.test_connection()
        elif bid == "continue":
            self.load_accounts()
        elif bid == "send-code":
            self.request_code()
        elif bid == "verify":
            self.verify_code()

    def test_connection(self, then_continue: bool = False) -> None:
        self.url = self.query_one("#url", Input).value.strip().rstrip("/")
        self.status("Testing the connection…")
        self.run_worker(partial(self._test, then_continue), group="test", exclusive=True)

    async def _test(self, then_continue: bool) -> None:
        d = await diagnose_config(self.config, self.url)
        self.diagnosis = d
        box = self.query_one("#diagnosis", Static)
        box.set_classes("-good" if d.ok else "-bad")
        box.update(safe(d.message))
        self.query_one("#continue", Button).disabled = not d.ok
        self.status("" if d.ok else "Fix the address or the server, then test again.", not d.ok)
        if d.ok and then_continue:
            await self._load_accounts()

    # --- step 2: choose -------------------------------------------------------------------------
    def load_accounts(self) -> None:
        self.run_worker(partial(self._load_accounts), group="accounts", exclusive=True)

    async def _load_accounts(self) -> None:
        self.status("Asking the server for its accounts…")
        try:
            accounts = await self._setup().accounts()
        except ActionError as exc:
            self.status(str(exc), error=True)
            accounts = []
        else:
            self.status("")
        self.known_accounts = accounts
        options = self.query_one("#choices", OptionList)
        options.clear_options()
        for acct in accounts:
            label = Text("Use ")
            label.append_text(safe_line(acct, style="bold"))
            if acct == self.config.account:
                label.append(" (current)", style="dim")
            options.add_option(Option(label, id=acct))
        options.add_option(Option(Text("Link this server to my phone (scan a QR code)"), id=LINK))
        options.add_option(Option(Text("Register a new number (SMS or voice call)"), id=REGISTER))
        self.show("choose")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id or ""
        if choice == LINK:
            self.start_linking()
        elif choice == REGISTER:
            self.show("register")
        else:
            self.finish(choice)

    # --- link this server as a new device ---------------------------------------------------------
    def start_linking(self) -> None:
        self.show("link-pane")
        self.run_worker(partial(self._link), group="link", exclusive=True)

    async def _link(self) -> None:
        setup = self._setup()
        qr = self.query_one("#qr", QRCode)
        state = self.query_one("#link-state", Static)
        known = set(self.known_accounts)
        try:
            known |= set(await setup.accounts())
        except ActionError:
            pass
        expires = 0.0
        while True:
            now = time.monotonic()
            if now >= expires:
                try:
                    self.link_uri = await setup.link_uri(LINKED_DEVICE_NAME)
                except ActionError as exc:
                    state.update(safe(str(exc)))
                    self.status(str(exc), error=True)
                    return
                qr.data = self.link_uri
                expires = now + self.link_lifetime
            left = max(0, int(expires - time.monotonic()))
            state.update(f"Waiting for your phone… a new code appears in {left} s.")
            try:
                current = await setup.accounts()
            except ActionError:
                current = []
            new = [a for a in current if a not in known]
            if new:
                state.update(Text(f"Linked as {plain_line(new[0])}. Starting the first sync…"))
                self.finish(new[0], linked=True)
                return
            await asyncio.sleep(self.poll_interval)

    # --- register a number ----------------------------------------------------------------------
    def request_code(self) -> None:
        try:
            number = normalise_number(self.query_one("#number", Input).value)
        except ActionError as exc:
            self.status(str(exc), error=True)
            return
        self.register_number = number
        captcha = self.query_one("#captcha", Input).value.strip() or None
        voice = self.query_one("#voice", Checkbox).value
        self.status("Asking Signal to send the code…")
        self.run_worker(
            partial(self._register, number, captcha, voice), group="register", exclusive=True
        )

    async def _register(self, number: str, captcha: str | None, voice: bool) -> None:
        try:
            await self._setup().register(number, captcha=captcha, voice=voice)
        except ActionError as exc:
            if exc.kind in ("captcha_required", "captcha_invalid"):
                self.query_one("#captcha-box").add_class("-shown")
                self.query_one("#captcha-help", Static).update(
                    Text(
                        f"{exc}. Open {CAPTCHA_URL} in a browser, solve it, then right-click "
                        "'Open Signal' → copy the link (it starts with signalcaptcha://) and "
                        "paste it here; then press Send code again."
                    )
                )
                self.query_one("#captcha", Input).focus()
            self.status(str(exc), error=True)
            return
        how = "call" if voice else "SMS"
        hint = f" (demo: the simulator's code is {DEMO_CODE})" if self.config.demo else ""
        self.status(f"Code requested by {how}. Type it below and press Verify.{hint}")
        self.query_one("#code", Input).focus()

    def verify_code(self) -> None:
        number = self.register_number
        if not number:
            try:
                number = normalise_number(self.query_one("#number", Input).value)
            except ActionError as exc:
                self.status(str(exc), error=True)
                return
        code = self.query_one("#code", Input).value
        pin = self.query_one("#pin", Input).value.strip() or None
        self.status("Verifying…")
        self.run_worker(partial(self._verify, number, code, pin), group="register", exclusive=True)

    async def _verify(self, number: str, code: str, pin: str | None) -> None:
        try:
            await self._setup().verify(number, code, pin)
        except ActionError as exc:
            self.status(str(exc), error=True)
            if exc.kind in ("pin_required", "bad_pin"):
                self.query_one("#pin", Input).focus()
            return
        self.finish(number, linked=False)

    # --- result -------------------------------------------------------------------------------
    def finish(self, account: str, *, linked: bool | None = None) -> None:
        updates = {"url": self.url, "account": account}
        try:
            save_settings(self.config.config_file, updates)
            if linked is not None:
                remember_device(
                    self.config.account_data_dir(account),
                    linked=linked,
                    device_name=LINKED_DEVICE_NAME if linked else None,
                )
        except (OSError, ConfigError) as exc:
            self.status(f"Could not save the config file: {exc}", error=True)
            return
        self.workers.cancel_group(self, "link")
        self.dismiss(self.config.replace(**updates))


class SwitchAccountScreen(AccountSetupScreen):
    """Pick another account of the same server (each keeps its own cache)."""

    START = "choose"
    TITLE_TEXT = "Switch account"
