"""The code-point <-> Qt position map, checked against a real QTextDocument and QTextCursor."""

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextBlockFormat, QTextCursor, QTextDocument

from annotator.qt_positions import QtPositions

# Every character Qt counts differently from Python, mixed with words, emoji and combining marks.
BREAKS = ["\r\n", "\r", "\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x00", "\ufdd0", "\ufdd1"]
PIECES = BREAKS + ["\r\r\n", "\n\r", "\r\n\r\n", "😀", "👍🏽", "𝔘", "🇫🇷", "e\u0301", "a\u0308\u0301", "Putin",
                   " ", "said", "« prêt »", "\t", "\u00a0", "“", "”", "l'Otan", "\ufeff"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=30).map("".join)
SEPARATORS = {"\r", "\n", "\u2029", "\ufdd0", "\ufdd1"}  # each shown as one paragraph separator


def qt_text(text: str, whole: bool = False) -> str:
    """The text as a QTextDocument holds it: one paragraph separator for each break (and, for the
    whole text, without the one byte-order mark Qt drops at its very start)."""
    if whole and text.startswith("\ufeff"):
        text = text[1:]
    return "".join("\u2029" if c in SEPARATORS else c for c in text.replace("\r\n", "\u2029"))


def qt_units(text: str) -> list[str]:
    """The same as UTF-16 units, as QTextDocument.characterAt gives them."""
    data = qt_text(text, whole=True).encode("utf-16-le", "surrogatepass")
    return [data[i:i + 2].decode("utf-16-le", "surrogatepass") for i in range(0, len(data), 2)]


def between_cr_and_lf(text: str, offset: int) -> bool:
    """An offset Qt has no position of its own for: inside a \\r\\n pair, or before a leading BOM."""
    if offset == 0 and text.startswith("\ufeff"):
        return True
    return 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n"


@given(text=texts, data=st.data())
@settings(max_examples=300, deadline=None)
def test_the_map_agrees_with_qt_for_every_character(qapp, text, data):
    document = QTextDocument()
    document.setPlainText(text)
    like_the_article = QTextDocument()  # ui/article_view.py inserts the text at a cursor with a block format
    cursor = QTextCursor(like_the_article)
    cursor.setBlockFormat(QTextBlockFormat())
    cursor.insertText(text)
    assert [like_the_article.characterAt(p) for p in range(like_the_article.characterCount())] == \
        [document.characterAt(p) for p in range(document.characterCount())]
    positions = QtPositions(text)
    assert document.characterCount() == positions.end + 1  # Qt adds one final paragraph separator
    assert [document.characterAt(p) for p in range(positions.end)] == qt_units(text)
    cursor = QTextCursor(document)
    offsets = [i for i in range(len(text) + 1) if not between_cr_and_lf(text, i)]
    for i in offsets:
        cursor.setPosition(positions.to_qt(i))
        assert positions.from_qt(cursor.position()) == i
        if i < len(text):
            shown = "\u2029" if text[i] in SEPARATORS else text[i].encode("utf-16-le", "surrogatepass")[:2].decode(
                "utf-16-le", "surrogatepass")
            assert document.characterAt(positions.to_qt(i)) == shown
    assert list(positions.to_qt_many(offsets)) == [positions.to_qt(i) for i in offsets]
    # A selection made in Qt covers exactly the characters of the code-point range.
    a = data.draw(st.sampled_from(offsets))
    b = data.draw(st.sampled_from([i for i in offsets if i >= a]))
    cursor.setPosition(positions.to_qt(a))
    cursor.setPosition(positions.to_qt(b), QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText() == qt_text(text[a:b])
    assert (positions.from_qt(cursor.selectionStart()), positions.from_qt(cursor.selectionEnd())) == (a, b)


@given(text=texts)
@settings(max_examples=200, deadline=None)
def test_every_qt_position_maps_to_the_offset_of_the_character_it_shows(qapp, text):
    positions = QtPositions(text)
    for p in range(positions.end + 1):
        offset = positions.from_qt(p)
        assert not between_cr_and_lf(text, offset)  # never between \r and \n
        assert positions.to_qt(offset) <= p <= positions.to_qt(offset) + 1  # +1: inside a surrogate pair


def test_examples():
    text = "Moscow, Tuesday\r\nPARIS\r\nVladimir Putin warned"
    positions = QtPositions(text)
    putin = text.index("Putin")
    assert positions.to_qt(putin) == putin - 2
    assert positions.from_qt(putin - 2) == putin
    assert positions.to_qt(text.index("\n")) == positions.to_qt(text.index("\n") + 1) == 16  # \n takes no position
    assert positions.from_qt(15) == 15 and positions.from_qt(16) == 17  # the pair's position, then after it
    emoji = QtPositions("a😀b")
    assert [emoji.to_qt(i) for i in range(4)] == [0, 1, 3, 4]
    assert emoji.from_qt(2) == 1  # inside the surrogate pair: rounds down
    assert QtPositions("").end == 0 and QtPositions("").from_qt(5) == 0
    assert QtPositions("ab").from_qt(9) == 2 and QtPositions("ab").from_qt(-1) == 0
