"""The worry-word matcher (kidsvoice/safeguarding.py) and the shipped list."""

from __future__ import annotations

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from kidsvoice.safeguarding import (
    DEFAULT_PATH,
    WorryListError,
    default_list,
    is_worrying,
    normalise,
    parse,
    spelling_variants,
)

WORRYING = [
    # Danish, as children write it
    "Min far slår mig når han er sur",
    "min stedfar SLÅR MIG",
    "Han slog mig i går",
    "jeg vil ikke leve mere",
    "Jeg vil dø",
    "nogle gange tænker jeg på selvmord",
    "jeg har selvmordstanker",
    "jeg skader mig selv",
    "de mobber mig i frikvarteret",
    "Jeg bliver mobbet",
    "jeg er bange for min onkel",
    "Han rører ved mig og siger det er vores hemmelighed",
    "jeg må ikke fortælle det",
    "Mor gør mig fortræd",
    "min bror sparker mig",
    "jeg får tæsk",
    # spellings from keyboards without æ, ø, å, and misspellings
    "min far slaar mig",
    "jeg vil doe",
    "jeg vil dö",
    "han goer mig fortraed",
    # English
    "my dad hits me",
    "He HURTS me",
    "someone touches me",
    "I want to kill myself",
    "i dont want to live anymore",
    "I don't want to live",
    "I don’t want to live",
    "sometimes I self-harm",
    "I'm being bullied",
    "I am scared of my stepdad",
    "i wanna die",
    # spelled out letter by letter
    "s e l v m o r d",
    "jeg tænker på s.e.l.v.m.o.r.d",
    "jeg vil d ø",
    "min far s-l-å-r mig",
    "I want to k i l l myself",
    # a whole phrase spelled out, where its words end not written
    "s l å r m i g",
    "h j æ l p j e g v i l d ø",
    "I W A N T T O D I E",
    "min far s.l.a.a.r.m.i.g",
]

HARMLESS = [
    "Jeg vil gerne have flere venner",
    "At mor ikke skal arbejde så meget",
    "Lære at cykle",
    "Min hund døde sidste år",  # "døde" is not "dø"
    "Jeg går til fodbold om tirsdagen",
    "Jeg spiller fodbold og er god til matematik",
    "min far er sød",
    "I like maths and my teacher",
    "Do you like dogs?",  # "do" is not "dø"
    "Volden bag skolen er sjov",  # a word that only starts like "vold"
    "jeg er i en klasse med a b c",  # one-letter words, spelling nothing on the list
    "d o g s are nice",
    "m i n h u n d d ø d e",  # one-word entries ("dø") are not looked for inside a run
    "b a d ø r",
    "",
    "   ",
]


@pytest.mark.parametrize("text", WORRYING)
def test_worrying_sentences_match(text: str) -> None:
    assert is_worrying(text), text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_sentences_do_not_match(text: str) -> None:
    assert not is_worrying(text), (text, [e.phrase for e in default_list().find(text)])


def test_none_and_empty_never_match() -> None:
    assert not is_worrying(None)
    assert default_list().find(None) == ()


# ---- normalisation ---------------------------------------------------------------------------

def test_case_accents_spacing_and_punctuation_are_normalised() -> None:
    assert normalise("  Héllo,   WORLD!!  ") == "hello world"
    assert normalise("slår...mig") == "slår mig"
    assert normalise("don't") == "dont"
    assert normalise("don’t") == "dont"
    assert normalise("Café") == "cafe"


def test_danish_letters_stay_letters_of_their_own() -> None:
    # æ, ø and å are not a, o and a: "får" (gets) is not "far" (father), "dø" is not "do".
    assert normalise("ÆØÅ æøå") == "æøå æøå"
    assert normalise("slår") != normalise("slar")
    assert normalise("slaar") == "slaar"  # kept as typed; the list entries spell it both ways
    assert normalise("dø") != normalise("do")
    # å written as a + combining ring is å; the Ångström sign too
    assert normalise("sla\u030ar") == "slår"
    assert normalise("\u212b") == "å"
    # what a Swedish or German keyboard offers counts as the Danish letter
    assert normalise("dö") == "dø"
    assert normalise("Ärlig") == "ærlig"
    # other marks on ø are dropped, the letter stays
    assert normalise("\u01ff") == "ø"


def test_slaar_and_slar_versus_slaar() -> None:
    worry = default_list()
    assert [e.phrase for e in worry.find("min far slår mig")] == ["slår mig"]
    # aa is the keyboard spelling of å: the entry "slår mig" is found
    assert "slår mig" in [e.phrase for e in worry.find("min far slaar mig")]
    # a single a is not å: only the explicitly listed misspelling finds it
    assert [e.phrase for e in worry.find("min far slar mig")] == ["slar mig"]
    # "får bank" (gets beaten) must not fire on "far" (father)
    assert not worry.matches("min far bank")
    assert worry.matches("jeg faar bank")


def test_zero_width_and_direction_characters_are_removed() -> None:
    assert normalise("sl\u200bår\u200d m\u00adig") == "slår mig"
    assert is_worrying("sl\u200bår mig")
    assert is_worrying("\u202ehits me\u202c")
    assert is_worrying("h\u2060i\ufefft\u200cs me")


def test_full_width_and_ligature_letters() -> None:
    assert normalise("ＨＩＴＳ ｍｅ") == "hits me"
    assert is_worrying("ＨＩＴＳ ｍｅ")


def test_repeated_letters_still_match_but_double_letters_need_two() -> None:
    assert is_worrying("he hiiiits meeee")
    assert is_worrying("jeg er baaaange for ham")
    assert is_worrying("I want to kiiiill myself")
    assert default_list().find("jeg bliver mobbbbet")


def test_phrases_match_whole_words_only() -> None:
    worry = default_list()
    assert worry.matches("jeg vil dø")
    assert not worry.matches("jeg vil døde")
    assert not worry.matches("døren er lukket")
    assert not worry.matches("whitsme")
    assert worry.matches("dø!")
    assert worry.matches("(dø)")


def test_prefix_entries_match_any_ending() -> None:
    worry = default_list()
    assert "selvmord*" in [e.phrase for e in worry.find("selvmordstanker")]
    assert worry.matches("bullying")
    assert not worry.matches("abullying")


# ---- the list file ---------------------------------------------------------------------------

def test_the_shipped_list_parses_with_both_languages() -> None:
    worry = default_list()
    languages = {e.language for e in worry.entries}
    assert languages == {"da", "en"}
    assert len(worry) > 150
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert "never replaces reading" in text.lower()


def test_every_entry_matches_itself() -> None:
    worry = default_list()
    for entry in worry.entries:
        phrase = entry.phrase.removesuffix("*")
        assert entry in worry.find(f"x {phrase} y" if not entry.prefix else f"x {phrase}abc y"), \
            entry.phrase


def test_every_danish_entry_matches_its_keyboard_spelling() -> None:
    worry = default_list()
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
    for entry in worry.entries:
        if entry.language == "da" and any(c in entry.phrase for c in "æøå"):
            written = entry.phrase.removesuffix("*").translate(table)
            assert entry in worry.find(written + ("x" if entry.prefix else "")), entry.phrase


def test_spelling_variants() -> None:
    assert set(spelling_variants("slår mig")) == {"slår mig", "slaar mig"}
    assert len(spelling_variants("gør mig fortræd")) == 4
    assert spelling_variants("hits me") == ("hits me",)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("slår mig", "expected"),
        ("xx | slår mig", "unknown language"),
        ("da |", "expected"),
        ("da | ...", "no letters"),
        ("da | sl*r", "only at the end"),
        ("da | dø*", "at least 4"),
    ],
)
def test_bad_lines_are_refused_with_their_line_number(line: str, message: str) -> None:
    with pytest.raises(WorryListError, match=message) as info:
        parse(["# comment", "", line])
    assert "line 3" in str(info.value)


def test_comments_and_an_empty_list() -> None:
    worry = parse(["# a comment", "da | slår mig   # an inline comment", "en | hits me"])
    assert [e.phrase for e in worry.entries] == ["slår mig", "hits me"]
    assert [e.line for e in worry.entries] == [2, 3]
    with pytest.raises(WorryListError):
        parse(["# nothing"])


# ---- properties ------------------------------------------------------------------------------

_letters = st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Po", "Pd", "Cf", "Mn"))
_padding_words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8), max_size=4
).map(" ".join)
_noise = st.sampled_from([" ", "  ", "\t", "\n", ", ", "! ", " - ", "\u200b ", " \u00a0"])


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_normalise_is_idempotent_and_clean(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert "  " not in once
    assert once == once.strip()
    assert once == once.casefold()
    assert not any(c in once for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e'’")


@given(st.text(alphabet=_letters, max_size=300))
@settings(max_examples=300)
def test_matching_never_fails_on_any_text(text: str) -> None:
    worry = default_list()
    assert worry.matches(text) == bool(worry.find(text))


@given(entry=st.sampled_from(default_list().entries), before=_padding_words,
       after=_padding_words, sep1=_noise, sep2=_noise, upper=st.booleans())
@settings(max_examples=400)
@example(entry=default_list().entries[0], before="", after="", sep1=" ", sep2=" ", upper=True)
def test_an_entry_anywhere_in_a_sentence_is_found(entry, before, after, sep1, sep2, upper) -> None:
    phrase = entry.phrase.removesuffix("*") + ("er" if entry.prefix else "")
    if upper:
        phrase = phrase.upper()
    text = f"{before}{sep1}{phrase}{sep2}{after}"
    assert entry in default_list().find(text), text


@given(entry=st.sampled_from([e for e in default_list().entries if not e.prefix]),
       glue=st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=1, max_size=3))
@settings(max_examples=300)
def test_an_entry_glued_into_a_longer_word_is_not_that_entry(entry, glue) -> None:
    phrase = entry.phrase
    last = normalise(phrase)[-1]
    assume(glue[0] != last)  # "hits" + "s" is just a longer "s"
    assert entry not in default_list().find(phrase + glue)


@given(entry=st.sampled_from([e for e in default_list().entries if e.is_phrase]),
       before=st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå", max_size=6),
       after=st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå", max_size=6),
       separator=st.sampled_from([" ", ".", "-", " . "]))
@settings(max_examples=300)
def test_a_phrase_spelled_out_inside_other_letters_is_found(
    entry, before, after, separator
) -> None:
    letters = before + normalise(entry.phrase.removesuffix("*")).replace(" ", "") + after
    text = separator.join(letters)
    assert entry in default_list().find(text), text
    assert default_list().matches(text)
