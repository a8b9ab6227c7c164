"""Accounts in the GUI: first start, sign-in, users dialog, own password, and what a nurse can and cannot do."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QInputDialog,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.users import Role
from facetdesk.interop.casefile import read_case
from facetdesk.services.context import build_context
from facetdesk.storage.errors import DatabaseError
from facetdesk.ui.shell.main_window import MainWindow
from facetdesk.ui.signing.accounts_dialogs import ChangePasswordDialog, FirstAccountDialog
from facetdesk.ui.signing.opening import DatabaseOpening
from facetdesk.ui.signing.sign_in import SignInDialog, sign_in_at_start
from tests.actors import ADMIN_PHYSICIAN, NURSE, PASSWORD, PHYSICIAN
from tests.ui.helpers import choose, click, find, open_window, set_spin, type_into

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "sample-case.json"


def _opening(ctx) -> DatabaseOpening:
    """The start-up's opening of the database, here handing over a context the test already opened."""
    return DatabaseOpening(lambda: ctx)


def _wait_until_open(qtbot, dialog: SignInDialog) -> None:
    qtbot.waitUntil(lambda: find(dialog, "Sign in").isEnabled())


def _window(qtbot, ctx) -> MainWindow:
    return open_window(qtbot, ctx)


# ---- first start and signing in ------------------------------------------------------
def test_first_start_creates_a_physician_administrator_and_signs_them_in(qtbot, db_url, monkeypatch):
    ctx = build_context(db_url)  # nobody signed in, no accounts
    try:
        shown: list[str] = []

        def answer(dialog: FirstAccountDialog) -> int:
            qtbot.addWidget(dialog)
            dialog.show()
            shown.append(type(dialog).__name__)
            type_into(qtbot, find(dialog, "User name"), "A Example")
            type_into(qtbot, find(dialog, "Name as printed on signatures"), "Dr. A. Example")
            type_into(qtbot, find(dialog, "Password"), "short")
            type_into(qtbot, find(dialog, "Repeat password"), "different")
            click(qtbot, find(dialog, "Create account"))
            assert "the two passwords differ" in dialog.errors.label_for(_err("password_repeat"))[0].text()
            type_into(qtbot, find(dialog, "Repeat password"), "short")
            click(qtbot, find(dialog, "Create account"))
            # Each problem beside its field: the user name's characters, the password's length.
            assert "lower-case letters" in dialog.errors.label_for(_err("username"))[0].text()
            assert "at least 8 characters" in dialog.errors.label_for(_err("password"))[0].text()
            assert not ctx.accounts.has_accounts()
            type_into(qtbot, find(dialog, "User name"), "a.example")
            type_into(qtbot, find(dialog, "Password"), PASSWORD)
            type_into(qtbot, find(dialog, "Repeat password"), PASSWORD)
            click(qtbot, find(dialog, "Create account"))
            return dialog.result()

        monkeypatch.setattr(FirstAccountDialog, "exec", answer)
        actor = sign_in_at_start(_opening(ctx))

        assert shown == ["FirstAccountDialog"]
        assert actor is not None and ctx.work.actor == actor
        assert (actor.username, actor.display_name, actor.role, actor.is_admin) == (
            "a.example",
            "Dr. A. Example",
            Role.PHYSICIAN,
            True,
        )
        actions = [e.action for e in ctx.audit.search()]
        # Newest first: signed in, after the account, the clinic CA and the account's certified signing key.
        assert actions[:4] == [
            AuditAction.SIGN_IN,
            AuditAction.KEY_CREATE,
            AuditAction.CA_CREATE,
            AuditAction.USER_CREATE,
        ]
    finally:
        ctx.close()


def _err(*path):
    from facetdesk.domain.errors import FieldError

    return FieldError(tuple(path), "")


def test_sign_in_says_a_wrong_password_then_opens_the_window_for_the_right_one(qtbot, db_url, monkeypatch):
    first = build_context(db_url)
    first.accounts.create_first_account({"username": "a.example", "display_name": "Dr. A. Example"}, PASSWORD)
    first.close()
    ctx = build_context(db_url)  # a second start: accounts exist, nobody signed in
    try:

        def answer(dialog: SignInDialog) -> int:
            qtbot.addWidget(dialog)
            dialog.show()
            _wait_until_open(qtbot, dialog)
            type_into(qtbot, find(dialog, "User name"), "a.example")
            type_into(qtbot, find(dialog, "Password"), "not the password")
            click(qtbot, find(dialog, "Sign in"))
            message = find(dialog, "Sign-in message")
            assert message.isVisible() and "not right" in message.text()
            assert dialog.result() == 0 and ctx.work.actor is None
            assert find(dialog, "Password").text() == ""  # ready for another try
            type_into(qtbot, find(dialog, "Password"), PASSWORD)
            click(qtbot, find(dialog, "Sign in"))
            return dialog.result()

        monkeypatch.setattr(SignInDialog, "exec", answer)
        actor = sign_in_at_start(_opening(ctx))
        assert actor is not None and actor.username == "a.example"

        window = _window(qtbot, ctx)
        assert find(window, "Signed-in user").text() == "Dr. A. Example — Physician · administrator"
        assert window.menus.admin_menu.menuAction().isVisible()
        failed = ctx.audit.search(action=AuditAction.SIGN_IN_FAILED)
        assert [e.username for e in failed] == ["a.example"]
    finally:
        ctx.close()


def test_the_next_start_offers_the_last_user_name(qtbot, db_url, monkeypatch):
    ctx = build_context(db_url)
    try:
        ctx.accounts.create_first_account({"username": "a.example", "display_name": "Dr. A. Example"}, PASSWORD)
        dialog = SignInDialog(_opening(ctx))
        qtbot.addWidget(dialog)
        dialog.show()
        _wait_until_open(qtbot, dialog)
        type_into(qtbot, find(dialog, "User name"), "a.example")
        type_into(qtbot, find(dialog, "Password"), PASSWORD)
        click(qtbot, find(dialog, "Sign in"))
        offered: list[str] = []
        monkeypatch.setattr(SignInDialog, "exec", lambda d: offered.append(d.username.text()) or 0)
        assert sign_in_at_start(_opening(ctx)) is None  # "Quit": the app ends without a window
        assert offered == ["a.example"]
    finally:
        ctx.close()


def test_typing_starts_before_the_database_is_open_and_sign_in_waits_for_it(qtbot, db_url):
    first = build_context(db_url)
    first.accounts.create_first_account({"username": "a.example", "display_name": "Dr. A. Example"}, PASSWORD)
    first.close()
    release = threading.Event()

    def slow_open():
        release.wait(10)  # a clinic server a moment away
        return build_context(db_url)

    opening = DatabaseOpening(slow_open)
    dialog = SignInDialog(opening)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: opening.started)
    # The user types at once; "Sign in" says nothing and does nothing until the database answers.
    type_into(qtbot, find(dialog, "User name"), "a.example")
    type_into(qtbot, find(dialog, "Password"), PASSWORD)
    assert find(dialog, "Database status").isVisible()
    assert find(dialog, "Database status").text() == "Opening the clinic's database…"
    assert not find(dialog, "Sign in").isEnabled()
    release.set()
    _wait_until_open(qtbot, dialog)
    assert not find(dialog, "Database status").isVisible()
    assert find(dialog, "Password").text() == PASSWORD  # nothing typed meanwhile was lost
    click(qtbot, find(dialog, "Sign in"))
    try:
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert opening.context.work.actor.username == "a.example"
    finally:
        opening.close()


def test_a_database_that_cannot_be_opened_ends_the_sign_in_with_the_reason(qtbot, tmp_path):
    not_a_database = tmp_path / "clinic.sqlite3"
    not_a_database.write_bytes(b"not a database " * 200)
    opening = DatabaseOpening(lambda: build_context(f"sqlite:///{not_a_database}"))
    assert sign_in_at_start(opening) is None
    opening.close()
    assert isinstance(opening.error, DatabaseError)
    assert "clinic.sqlite3" in str(opening.error)
    assert not_a_database.read_bytes() == b"not a database " * 200  # nothing written into it


# ---- administration -------------------------------------------------------------------
def test_users_dialog_adds_a_nurse_who_can_then_sign_in(qtbot, ctx, accounts):
    window = _window(qtbot, ctx)
    dialog = window.admin.show_users()
    assert dialog.usernames() == ["dr.synthetic", "rn.synthetic"]
    click(qtbot, find(dialog, "New account"))
    type_into(qtbot, find(dialog, "User name"), "rn.second")
    type_into(qtbot, find(dialog, "Name as printed on signatures"), "RN Second Synthetic")
    choose(find(dialog, "Role"), Role.NURSE)
    type_into(qtbot, find(dialog, "Password"), PASSWORD)
    type_into(qtbot, find(dialog, "Repeat password"), PASSWORD)
    click(qtbot, find(dialog, "Save account"))

    assert "rn.second" in dialog.usernames()
    assert "saved" in dialog.status.text()
    actor = ctx.accounts.sign_in("rn.second", PASSWORD)
    assert actor.role is Role.NURSE and not actor.is_admin


def test_users_dialog_shows_each_physicians_signing_key_fingerprint(qtbot, ctx, accounts):
    window = _window(qtbot, ctx)
    dialog = window.admin.show_users()
    model = dialog.model
    column = model.HEADERS.index("Signing key")
    texts = {model.user(r).username: model.index(r, column).data() for r in range(model.rowCount())}
    with ctx.database.read() as session:
        from facetdesk.storage import trust as key_store

        key = key_store.active_key(session, accounts[0].id)
    from facetdesk.trust.keys import short_fingerprint

    assert texts == {"dr.synthetic": "certified", "rn.synthetic": ""}  # a nurse never signs, so has no key
    dialog.select("dr.synthetic")
    assert dialog.key_label.text() == f"SHA-256 {short_fingerprint(key.fingerprint)}\ncertified"
    dialog.select("rn.synthetic")
    assert dialog.key_label.text() == "none (nurses do not sign)"


def test_an_administrator_certifies_a_waiting_key_and_exports_the_clinic_certificate(
    qtbot, ctx, accounts, monkeypatch, tmp_path
):
    from facetdesk.trust import ca as ca_mod
    from facetdesk.ui.admin.users_dialog import UsersDialog

    # Added from the command line (no clinic CA at hand): the key waits for an administrator.
    waiting = ctx.accounts.create_user(
        {"username": "dr.waiting", "display_name": "Dr. Waiting", "role": "physician"}, PASSWORD
    )
    ctx.accounts.sign_in(ADMIN_PHYSICIAN.username, PASSWORD)  # the administrator's session opens the CA
    window = _window(qtbot, ctx)
    dialog = window.admin.show_users()
    asked: list[str] = []
    monkeypatch.setattr(UsersDialog, "ask_certify", lambda self, user, fp: asked.append(fp) or True)
    dialog.select("dr.waiting")
    column = dialog.model.HEADERS.index("Signing key")
    row = dialog.usernames().index("dr.waiting")
    assert dialog.model.index(row, column).data() == "waiting"
    assert dialog.key_label.text().endswith("waiting for certification")
    assert dialog.certify_button.isEnabled()
    click(qtbot, dialog.certify_button)
    assert asked and asked[0] in dialog.key_label.text()
    row = dialog.usernames().index("dr.waiting")
    assert dialog.model.index(row, column).data() == "certified"
    assert ctx.accounts.signing_keys()[waiting.id].status == "certified"
    dialog.select("dr.waiting")
    assert not dialog.certify_button.isEnabled()  # nothing left to certify

    written = dialog.export_ca(str(tmp_path / "clinic-ca.pem"))
    certificate = ca_mod.load_pem((tmp_path / "clinic-ca.pem").read_bytes())
    assert written and certificate.extensions.get_extension_for_class(ca_mod.x509.BasicConstraints).value.ca


def test_users_dialog_shows_every_refusal_beside_its_field(qtbot, ctx, accounts):
    window = _window(qtbot, ctx)
    dialog = window.admin.show_users()
    # A user name already taken.
    type_into(qtbot, find(dialog, "User name"), "rn.synthetic")
    type_into(qtbot, find(dialog, "Name as printed on signatures"), "Someone Else")
    type_into(qtbot, find(dialog, "Password"), PASSWORD)
    type_into(qtbot, find(dialog, "Repeat password"), PASSWORD)
    click(qtbot, find(dialog, "Save account"))
    label = dialog.errors.label_for(_err("username"))[0]
    assert label.isVisible() and label.text()
    # The last administrator cannot stop being one.
    dialog.select("dr.synthetic")
    assert find(dialog, "User name").isReadOnly()
    find(dialog, "Administrator").setChecked(False)
    click(qtbot, find(dialog, "Save account"))
    label = dialog.errors.label_for(_err("is_admin"))[0]
    assert label.isVisible() and "last active administrator" in label.text()
    assert ctx.accounts.sign_in("dr.synthetic", PASSWORD).is_admin


def test_an_administrator_resets_a_forgotten_password(qtbot, ctx, accounts):
    window = _window(qtbot, ctx)
    dialog = window.admin.show_users()
    dialog.select("rn.synthetic")
    type_into(qtbot, find(dialog, "Password"), "a brand new phrase")
    type_into(qtbot, find(dialog, "Repeat password"), "a brand new phrase")
    click(qtbot, find(dialog, "Save account"))
    assert ctx.accounts.sign_in("rn.synthetic", "a brand new phrase").username == "rn.synthetic"


def test_change_my_password(qtbot, ctx, accounts):
    window = _window(qtbot, ctx)
    dialog = window.admin.change_password()  # the window owns it, and it is freed when it closes
    assert isinstance(dialog, ChangePasswordDialog)
    type_into(qtbot, find(dialog, "Current password"), "not my password")
    type_into(qtbot, find(dialog, "New password"), "another pass phrase")
    type_into(qtbot, find(dialog, "Repeat new password"), "another pass phrase")
    click(qtbot, find(dialog, "Change password"))
    assert "not your current password" in dialog.errors.label_for(_err("current"))[0].text()
    type_into(qtbot, find(dialog, "Current password"), PASSWORD)
    click(qtbot, find(dialog, "Change password"))
    assert dialog.result() == 1
    assert ctx.accounts.unlock("another pass phrase").username == ADMIN_PHYSICIAN.username


def test_administration_is_hidden_from_a_physician_who_is_not_an_administrator(qtbot, ctx):
    ctx.work.sign_in(PHYSICIAN)
    window = _window(qtbot, ctx)
    assert not window.menus.admin_menu.menuAction().isVisible()
    assert not window.menus.settings_action.isEnabled()
    assert "may not change the clinic settings" in window.menus.settings_action.toolTip()
    assert window.menus.new_procedure_action.isEnabled()
    assert window.admin.show_users() is None  # reached anyway (a shortcut, a script): refused, said, not crashed
    assert "may not manage user accounts" in window.statusBar().currentMessage()


def test_the_sign_question_names_the_signed_in_physician_and_asks_for_the_password(qtbot, ctx, monkeypatch):
    window = _window(qtbot, ctx)
    asked: list[tuple] = []

    def get_text(parent, title, text, echo, *args):
        asked.append((text, echo))
        return "", False  # cancelled

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    procedure = read_case(SAMPLE).procedure
    assert window.editor.questions.ask_sign(procedure) is None
    text, echo = asked[0]
    assert text.startswith(f"Sign this procedure as {ADMIN_PHYSICIAN.display_name}?") and "password" in text
    assert echo == QLineEdit.EchoMode.Password


# ---- a nurse ---------------------------------------------------------------------------
@pytest.fixture
def nurse_window(qtbot, ctx):
    """The sample case stored by a physician; then a nurse signs in and opens it."""
    result = ctx.cases.import_case(read_case(SAMPLE))
    ctx.work.sign_in(NURSE)
    window = _window(qtbot, ctx)
    window.patients.open_patient(result.patient_id)
    window.procedures.open_procedure(result.procedure_id)
    return window, result


def _inputs(widget) -> list:
    kinds = (QLineEdit, QAbstractSpinBox, QComboBox, QCheckBox, QPlainTextEdit)
    return [
        w
        for w in widget.findChildren(QWidget)
        if isinstance(w, kinds) and not isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox))
    ]


def test_a_nurse_can_change_only_the_pain_scores(qtbot, nurse_window):
    window, _ = nurse_window
    ed = window.editor
    pain_page = ed.pain
    inputs = _inputs(ed.tabs)
    assert len(inputs) > 100
    for w in inputs:
        if pain_page.isAncestorOf(w):
            assert w.isEnabled(), w.accessibleName()
        else:
            assert not w.isEnabled(), f"{w.accessibleName()} is editable for a nurse"
    assert find(ed, "Pre-injection pain (NRS)").isEnabled()
    assert find(ed, "Pain score 1 NRS").isEnabled()
    assert ed.save_button.isEnabled()
    assert not ed.preset_button.isEnabled()
    assert not ed.sign_button.isEnabled()
    assert ed.sign_button.toolTip() == "RN Synthetic Nurse (nurse) may not sign procedures."
    assert not ed.findings.acknowledge_button.isEnabled()
    assert "only the pain scores" in ed.signature_banner.text()
    # The window: no new patients or procedures, patient details read only.
    assert not window.menus.new_patient_action.isEnabled() and not window.menus.new_procedure_action.isEnabled()
    assert not window.menus.presets_action.isEnabled()
    assert "may not change a procedure" in window.menus.new_procedure_action.toolTip()
    assert not window.patient_page.form.save_button.isEnabled()
    assert not window.patient_page.new_button.isEnabled()
    assert not window.menus.admin_menu.menuAction().isVisible()
    assert find(window, "Signed-in user").text() == "RN Synthetic Nurse — Nurse"


def test_a_nurse_saves_pain_scores_and_the_audit_names_them(qtbot, nurse_window, ctx):
    window, result = nurse_window
    ed = window.editor
    ed.tabs.setCurrentIndex(ed.TAB_OF["pain_scores"])
    row = ed.pain.row_number(60 * 24 * 7)  # the one-week time point
    set_spin(qtbot, find(ed, f"Pain score {row} NRS"), 3)
    saved = ed.save()

    assert saved is not None, ed.error_summary.text()
    assert any(s.minutes_after == 60 * 24 * 7 and s.nrs == 3 for s in saved.pain_scores)
    ctx.work.sign_in(ADMIN_PHYSICIAN)  # the trail is for administrators to read
    (entry,) = ctx.audit.search(action=AuditAction.UPDATE, entity="procedure", limit=1)
    assert entry.username == NURSE.username and entry.entity_id == str(result.procedure_id)
    assert entry.fields and all(f.startswith("pain_scores") for f in entry.fields)


def test_a_nurse_reaching_a_physician_action_is_told_why_not_and_nothing_crashes(qtbot, nurse_window, ctx):
    window, result = nurse_window
    ed = window.editor
    before = ctx.records.get_procedure(result.procedure_id)[1]

    assert ed.signing_controls.sign() is None  # the slot, called although its button is disabled
    assert "may not sign procedures" in ed.error_summary.text() and ed.error_summary.isVisible()
    assert not ctx.records.get_procedure(result.procedure_id)[1].is_signed

    window.procedures.new_procedure()
    assert "may not change a procedure" in window.statusBar().currentMessage()
    window.admin.edit_settings()
    assert "may not change the clinic settings" in window.statusBar().currentMessage()
    window.admin.show_audit()
    assert "may not view the audit trail" in window.statusBar().currentMessage()
    window.patients.show_patient_page()
    window.patients.new_patient()
    assert "may not change patient details" in window.patient_page.form.general_error.text()
    assert window.patients.save_patient() is None
    assert "may not change patient details" in window.patient_page.form.general_error.text()
    assert ctx.records.get_procedure(result.procedure_id)[1] == before


def test_a_nurse_saving_other_fields_by_mistake_is_refused_beside_them(qtbot, nurse_window, ctx):
    window, result = nurse_window
    ed = window.editor
    ed.outcome.setEnabled(True)  # a control enabled by mistake
    notes = find(ed, "Notes")
    notes.setPlainText("changed by a nurse")
    assert ed.save() is None
    assert "cannot be changed with a nurse's account" in ed.error_summary.text()
    assert ctx.records.get_procedure(result.procedure_id)[1].notes != "changed by a nurse"


def test_a_nurse_cannot_start_a_procedure(qtbot, ctx):
    patient = ctx.records.save_patient(
        {"mrn": "NU-1", "family_name": "Testperson", "given_name": "Sam", "date_of_birth": date(1960, 5, 5)}
    )
    ctx.work.sign_in(NURSE)
    window = _window(qtbot, ctx)
    window.patients.open_patient(patient.id)
    button: QAbstractButton = find(window.patient_page, "New procedure")
    assert not button.isEnabled() and "may not change a procedure" in button.toolTip()
    window.procedures.new_procedure()
    assert window.stack.currentWidget() is window.patient_page
    assert ctx.records.list_procedures(patient.id) == []


def test_a_nurse_saving_a_new_procedure_by_mistake_is_told_why_not(qtbot, ctx):
    case = read_case(SAMPLE)
    result = ctx.cases.import_case(case)
    ctx.work.sign_in(NURSE)
    window = _window(qtbot, ctx)
    window.patients.open_patient(result.patient_id)
    ed = window.editor
    # A complete procedure in a new editor: a path that should not exist for a nurse, taken anyway.
    data = case.procedure.model_dump(mode="json", exclude={"id", "uid", "version"})
    ed.load_data(ctx.records.get_patient(result.patient_id), None, data)
    window.stack.setCurrentWidget(ed)
    assert not ed.save_button.isEnabled()
    assert ed.save() is None
    assert ed.error_summary.text() == "Not saved: RN Synthetic Nurse (nurse) may not change a procedure."
    assert len(ctx.records.list_procedures(result.patient_id)) == 2  # the imported ones only


def test_a_nurse_is_told_why_the_preset_and_acknowledge_buttons_are_off(qtbot, nurse_window):
    """Disabled for her role, each says so (as Sign… does), not only what it would do."""
    window, _ = nurse_window
    ed = window.editor
    for button in (ed.preset_button, ed.findings.acknowledge_button):
        assert not button.isEnabled()
        assert button.toolTip() == "RN Synthetic Nurse (nurse) may not change a procedure.", button.text()
