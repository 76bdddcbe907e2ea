"""Language codes validated, undeclared languages guessed (newsarchive/extract/language.py)."""

import pytest

from newsarchive.extract.dom import parse
from newsarchive.extract.language import guess_language, language_code
from newsarchive.extract.metadata import read_markup


@pytest.mark.parametrize("value, code", [
    ("de-AT", "de"), ("en_GB", "en"), ("EN", "en"), ("nb-NO", "no"), ("nn", "nn"),
    ("utf-8", None), ("iso-8859-1", None), ("x-default", None), ("", None), (None, None),
])
def test_language_code(value, code):
    assert language_code(value) == code


def test_a_charset_in_content_language_is_no_language_and_the_next_declaration_counts():
    tree = parse('<html><head><meta http-equiv="Content-Language" content="utf-8">'
                 '<meta property="og:locale" content="sv_SE"></head><body><p>t</p></body></html>')
    assert read_markup(tree).language == "sv"


@pytest.mark.parametrize("text, code", [
    ("The council said on Tuesday that the bridge would be closed for repairs until the end of the month, "
     "and that drivers should use the ferry while the work is done.", "en"),
    ("Der Stadtrat hat am Dienstag beschlossen, dass die Brücke bis zum Ende des Monats wegen Reparaturen "
     "gesperrt bleibt und die Autofahrer die Fähre nutzen sollen.", "de"),
    ("Kommunen sa tirsdag at broen vil være stengt for reparasjoner til slutten av måneden, og at bilistene "
     "bør bruke fergen mens arbeidet pågår.", "no"),
    ("Too short to tell.", None),
])
def test_guess_language_from_stopwords(text, code):
    assert guess_language(text) == code
