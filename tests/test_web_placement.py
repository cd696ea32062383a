"""cleanlens.web.placement: where the popover and the tour's card go, which rows a long list draws."""

from cleanlens.web.placement import ListWindow, Rect, card_position, list_window, popover_position

VIEW = (1440, 900)


def test_popover_goes_right_then_left_then_below_inside_the_view():
    assert popover_position(Rect(100, 100, 164, 164), 300, 200, *VIEW) == (174, 100)
    assert popover_position(Rect(1300, 100, 1364, 164), 300, 200, *VIEW) == (990, 100)
    left, top = popover_position(Rect(10, 100, 1430, 164), 300, 200, *VIEW)
    assert (left, top) == (10, 174)
    left, top = popover_position(Rect(10, 800, 1430, 864), 300, 200, *VIEW)
    assert top == 800 - 10 - 200  # no room below: above
    left, top = popover_position(Rect(1200, 880, 1264, 944), 300, 200, *VIEW)
    assert 6 <= left <= 1440 - 306 and 6 <= top <= 900 - 206


def test_popover_never_covers_the_controls_it_is_told_to_avoid():
    anchor, actions = Rect(100, 100, 164, 164), Rect(170, 80, 500, 140)
    left, top = popover_position(anchor, 300, 200, *VIEW, avoid=(actions,))
    assert not Rect(left, top, left + 300, top + 200).overlaps(actions)


def test_tour_card_beside_its_anchor_or_at_an_edge():
    assert card_position(None, 400, 200, *VIEW) == (520, 8)
    left, top = card_position(Rect(100, 300, 300, 400), 400, 200, *VIEW)
    assert left == 314 and not Rect(left, top, left + 400, top + 200).overlaps(Rect(100, 300, 300, 400))
    # an anchor filling a phone's screen: the card goes to the bottom (the anchor's middle is in the upper half)
    assert card_position(Rect(0, 50, 390, 700), 370, 200, 390, 844) == (10, 844 - 200 - 8)


def test_list_window_draws_the_visible_rows_and_some_around_them():
    window = list_window(None, 10_000, 0, 0, 900, 720, 102, 78, 6, 3)
    assert window == ListWindow(0, (9 + 3) * 9, 9, 10_000)
    assert list_window(window, 10_000, 100, 0, 900, 720, 102, 78, 6, 3) is None  # still covered
    later = list_window(window, 10_000, 5_000, 0, 900, 720, 102, 78, 6, 3)
    assert later.start == (5_000 // 102 - 3) * 9 and later.stop >= (5_900 // 102 + 1) * 9
    above, below = later.padding(102)
    assert above == later.start // 9 * 102 and below > 0
    assert list_window(window, 5, 0, 0, 900, 720, 102, 78, 6, 3).count == 5  # the count changed: redraw
