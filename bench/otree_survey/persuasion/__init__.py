from otree.api import BaseConstants, BaseGroup, BasePlayer, BaseSubsession, Page, models, widgets

doc = "Before/after persuasion survey, 3 items, for the load benchmark."
SCALE = [
    [1, "Strongly oppose"],
    [2, "Oppose"],
    [3, "Somewhat oppose"],
    [4, "Neither oppose nor support"],
    [5, "Somewhat support"],
    [6, "Support"],
    [7, "Strongly support"],
]
CLAIM = "Cities should allow parcel delivery by drones over residential neighbourhoods."
ARGUMENT = "Short argument.\n\nIt has two paragraphs and <script>alert(1)</script> in it."


class C(BaseConstants):
    NAME_IN_URL = "persuasion"
    PLAYERS_PER_GROUP = None
    NUM_ROUNDS = 3


class Subsession(BaseSubsession):
    pass


class Group(BaseGroup):
    pass


class Player(BasePlayer):
    before = models.IntegerField(
        choices=SCALE, widget=widgets.RadioSelect, label="How much do you support this claim?"
    )
    after = models.IntegerField(
        choices=SCALE, widget=widgets.RadioSelect, label="How much do you support this claim?"
    )
    reading_ms = models.IntegerField(blank=True, min=0)
    attention = models.StringField(
        choices=[label for _, label in SCALE],
        widget=widgets.RadioSelect,
        blank=True,
        label="Please select \u201cSomewhat support\u201d below.",
    )


class Consent(Page):
    @staticmethod
    def is_displayed(player):
        return player.round_number == 1


class Before(Page):
    form_model = "player"
    form_fields = ["before"]

    @staticmethod
    def vars_for_template(player):
        return dict(claim=CLAIM)


class Argument(Page):
    form_model = "player"
    form_fields = ["reading_ms"]

    @staticmethod
    def vars_for_template(player):
        return dict(claim=CLAIM, paragraphs=ARGUMENT.split("\n\n"))


class After(Page):
    form_model = "player"
    form_fields = ["after"]

    @staticmethod
    def vars_for_template(player):
        return dict(claim=CLAIM)


class Attention(Page):
    form_model = "player"
    form_fields = ["attention"]

    @staticmethod
    def is_displayed(player):
        return player.round_number < C.NUM_ROUNDS


class Debrief(Page):
    @staticmethod
    def is_displayed(player):
        return player.round_number == C.NUM_ROUNDS


class Done(Page):
    @staticmethod
    def is_displayed(player):
        return player.round_number == C.NUM_ROUNDS


page_sequence = [Consent, Before, Argument, After, Attention, Debrief, Done]
