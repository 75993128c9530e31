"""Read aloud: only on-device voices, only when the child asks, in the page's language."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.pages import ChildJourney

FAKE_SPEECH = """
(() => {
  const voices = %s;
  window.__spoken = [];
  const synth = {
    getVoices: () => voices,
    speak: (u) => window.__spoken.push({
      text: u.text, lang: u.lang, voice: u.voice && u.voice.name,
    }),
    cancel: () => {},
    addEventListener: () => {},
  };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})();
"""


def _open_question(new_page, make, session, voices: str):
    child = make.child(age=7)
    _invitation, token = make.invitation(child)
    session.commit()
    page = new_page(locale="da")
    page.add_init_script(FAKE_SPEECH % voices)
    journey = ChildJourney(page)
    journey.open(token)
    journey.start()
    journey.answer()  # W1 → W2, through an htmx swap
    return page


def _speak_button_checked(page: Page):
    """The read-aloud button, once child.js has looked for a voice for it (``data-ready``):
    before that it is hidden whatever the voices, so a check for hidden would prove nothing."""
    page.wait_for_selector("[data-speak][data-ready]", state="attached")
    return page.locator("[data-speak]")


def test_button_reads_the_question_and_options_with_a_local_voice(new_page, make, session) -> None:
    page = _open_question(new_page, make, session, """[
        {name: 'Cloud', lang: 'da-DK', localService: false},
        {name: 'Local Danish', lang: 'da-DK', localService: true}]""")
    button = page.locator("[data-speak]")
    expect(button).to_be_visible()  # waits for child.js, where is_visible() would not
    assert page.evaluate("window.__spoken.length") == 0, "nothing plays by itself"
    button.click()
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1
    assert spoken[0]["voice"] == "Local Danish"
    assert spoken[0]["lang"] == "da-DK"
    assert "Hvad vil du gerne blive bedre til" in spoken[0]["text"]
    assert "Læse" in spoken[0]["text"]  # the options are read too


def test_button_is_hidden_without_an_on_device_voice(new_page, make, session) -> None:
    page = _open_question(new_page, make, session, """[
        {name: 'Cloud', lang: 'da-DK', localService: false},
        {name: 'Local English', lang: 'en-GB', localService: true}]""")
    expect(_speak_button_checked(page)).to_be_hidden()


def test_button_is_hidden_without_speech_synthesis(new_page, make, session) -> None:
    child = make.child(age=12)
    _invitation, token = make.invitation(child)
    session.commit()
    page = new_page(locale="da")
    page.add_init_script("Object.defineProperty(window, 'speechSynthesis', {value: undefined});")
    ChildJourney(page).open(token)
    expect(_speak_button_checked(page)).to_be_hidden()
