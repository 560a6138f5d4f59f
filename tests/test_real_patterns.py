"""Hard cases for the constructions of real French journalism, each with its negative.

The sentences are written for these tests (none is copied from a development article);
each covers one general construction: quotation styles, incises, colons, continuation,
interviews, organisations that speak, titles and pronouns, and the relations stated in
passing (parentheses, possessives, appositions, product lists)."""

from __future__ import annotations

import pytest

from kg.kb import load_kb
from kg.resolve import resolve

pytestmark = pytest.mark.model


def speakers(result) -> list[tuple[str, str]]:
    return [(c.speaker.text, c.attribution) for c in result.claims]


def spans(result, text: str) -> list[str]:
    return [text[c.evidence.start : c.evidence.end] for c in result.claims]


def test_incise_with_words_between_verb_and_speaker(analyse):
    text = "« Le marché est prêt », lance sans détour Dario Amodei."
    assert speakers(analyse(text)) == [("Dario Amodei", "incise")]


def test_verbs_that_report_speech_only_in_an_incise(analyse):
    assert speakers(analyse("« Nous ne sommes qu'au début », a glissé Jensen Huang mercredi.")) == [
        ("Jensen Huang", "incise")]
    assert speakers(analyse("Jensen Huang a glissé une note dans sa poche.")) == []
    assert [s for s, _ in speakers(analyse("Sam Altman s'est montré plus prudent lors d'une conférence."))] == [
        "Sam Altman"]


def test_straight_quotes_over_two_sentences_are_one_claim(analyse):
    text = 'Demis Hassabis est confiant. "Le modèle est prêt. Il sortira en mars", a-t-il écrit sur son blog.'
    result = analyse(text)
    assert speakers(result) == [("Demis Hassabis", "incise")]
    assert spans(result, text) == ['"Le modèle est prêt. Il sortira en mars", a-t-il écrit sur son blog.']


def test_a_quotation_without_cue_continues_the_previous_speaker(analyse):
    text = ("Arthur Mensch a pris la parole. « Nous voulons rester indépendants », a-t-il déclaré. "
            "« La France a des atouts considérables. »")
    assert speakers(analyse(text)) == [("Arthur Mensch", "incise"), ("Arthur Mensch", "continuation")]


def test_a_quoted_heading_is_nobody_s_claim(analyse):
    text = "Arthur Mensch a déclaré que le modèle était prêt.\n\n« Une révolution silencieuse »\n\nLe marché bouge."
    assert [s for s, _ in speakers(analyse(text))] == ["Arthur Mensch"]


def test_colon_before_a_quotation(analyse):
    text = "Sam Altman : « Nous construisons des outils pour tout le monde »"
    assert speakers(analyse(text)) == [("Sam Altman", "colon")]


INTERVIEW = """ENTRETIEN - Le dirigeant répond à nos questions.

LE MONDE. - Pourquoi lever autant d'argent ?

Arthur Mensch. - Parce que les modèles coûtent cher. Nous devons investir dans le calcul.

La concurrence vous inquiète-t-elle ?

Elle nous stimule. Les Américains restent très forts.
"""


def test_interview_answers_are_the_interviewee_s_and_questions_nobody_s(analyse):
    result = analyse(INTERVIEW)
    assert {s for s, _ in speakers(result)} == {"Arthur Mensch"}
    said = spans(result, INTERVIEW)
    assert len(said) == 4 and not any(s.rstrip().endswith("?") for s in said)


HEADLINE_INTERVIEW = """Yann LeCun : « Les grands modèles de langage ne mèneront pas à une intelligence humaine »

Le chercheur défend une autre voie. Propos recueillis par Julie Martin.

Vous critiquez les LLM depuis longtemps. Pourquoi ?

Ils ne comprennent pas le monde physique. Il faudra d'autres architectures.
"""


def test_interview_answers_without_names_are_the_headline_s_person_not_the_journalist_s(analyse):
    result = analyse(HEADLINE_INTERVIEW)
    said = dict(zip(spans(result, HEADLINE_INTERVIEW), speakers(result), strict=True))
    assert said["Ils ne comprennent pas le monde physique."] == ("Yann LeCun", "interview")
    assert said["Il faudra d'autres architectures."] == ("Yann LeCun", "interview")
    assert "Julie Martin" not in {s for s, _ in speakers(result)}
    assert not any(s.rstrip().endswith("?") for s in said)


def test_a_name_and_a_dash_outside_an_interview_covers_one_paragraph(analyse):
    text = "Kevin Durand - Publié le 3 mars 2025\n\nLe marché des puces progresse. Les prix baissent."
    assert speakers(analyse(text)) == []


def test_an_organisation_noun_speaks_for_the_organisation(analyse):
    text = "Anthropic a publié un nouveau modèle. L'entreprise assure qu'il est plus sûr que ses concurrents."
    assert speakers(analyse(text)) == [("Anthropic", "organisation")]


def test_a_title_after_the_verb_stands_for_the_person(analyse):
    text = "Jensen Huang a présenté ses puces. « La demande est immense », affirme le dirigeant."
    assert speakers(analyse(text)) == [("Jensen Huang", "incise")]


def test_negated_reporting_verb_reports_nothing(analyse):
    assert speakers(analyse("Sam Altman n'a pas indiqué quand le modèle sortira.")) == []


def test_passive_agent_is_the_speaker(analyse):
    assert speakers(analyse("Le nouveau modèle a été salué par Yann LeCun.")) == [("Yann LeCun", "agent")]


def test_ce_que_pense_x(analyse):
    text = "L'Europe prend du retard. C'est ce que pense Yann LeCun."
    assert [s for s, _ in speakers(analyse(text))] == ["Yann LeCun"]


def test_organisations_that_present_something_as_a_speech(analyse):
    text = "Google et Anthropic présentent leur alliance comme « une étape décisive »."
    assert {s for s, _ in speakers(analyse(text))} == {"Google", "Anthropic"}


def test_a_bare_quotation_then_a_sentence_opening_with_a_name(analyse):
    text = "« Nous avons travaillé jour et nuit. » Demis Hassabis, patron de Google DeepMind, sourit."
    assert speakers(analyse(text)) == [("Demis Hassabis", "next sentence")]
    negative = "« Nous avons travaillé jour et nuit », dit-on. Demis Hassabis sourit."
    assert [s for s, _ in speakers(analyse(negative))] != ["Demis Hassabis"]


def test_a_demonym_stands_for_the_person_named_before(analyse):
    text = "Joëlle Pineau quitte Meta. La Canadienne a précisé qu'elle partira en mai."
    assert [s for s, _ in speakers(analyse(text))] == ["Joëlle Pineau"]


def test_reflexive_incise_inside_a_quotation_left_open(analyse):
    text = "« Ce partenariat est une étape majeure pour nous, se félicite Christel Heydemann, directrice générale."
    assert [s for s, _ in speakers(analyse(text))] == ["Christel Heydemann"]


def test_an_organisation_in_a_complement_is_no_co_speaker(analyse):
    text = "Avec dix fois moins d'employés que chez OpenAI, Aleph Alpha entrevoit un avenir prometteur."
    assert [s for s, _ in speakers(analyse(text))] == ["Aleph Alpha"]


def test_an_organisation_named_after_its_noun_opens_the_subject(analyse):
    text = ("Le groupe américain Nvidia, dont les puces équipent les centres de données, a de son côté salué "
            "« une année record ».")
    assert [s for s, _ in speakers(analyse(text))] == ["Nvidia"]


def test_every_source_a_marker_names_and_the_company_it_stands_for(analyse):
    text = ("Anthropic a levé des fonds, selon le Financial Times et Bloomberg. Anthropic recrute. "
            "D'après la société, sa valorisation atteint 183 milliards de dollars.")
    assert [s for s, _ in speakers(analyse(text))] == ["Financial Times", "Bloomberg", "Anthropic"]


def test_selon_a_study_of_an_organisation_and_a_quotation_of_an_unnamed_speaker(analyse):
    text = ("Selon une étude du cabinet Gartner, les dépenses en centres de données doubleront d'ici 2027. "
            "« C'est une bulle », estime un investisseur qui préfère rester anonyme.")
    assert speakers(analyse(text)) == [("Gartner", "marker")]


def test_the_cue_that_names_its_speaker_wins(analyse):
    text = "En annonçant dimanche son modèle, Elon Musk s'est targué de présenter « l'IA la plus intelligente »."
    assert [s for s, _ in speakers(analyse(text))] == ["Elon Musk"]


def test_an_organisation_announcing_a_product_makes_no_claim(analyse):
    assert speakers(analyse("Mistral AI annonce un nouveau modèle de code.")) == []


def test_a_line_of_names_with_a_verb_does_not_make_the_line_above_a_pull_quote(analyse):
    text = ("Le PDG d'OpenAI Sam Altman a rencontré Emmanuel Macron.\n"
            "Sam Altman, patron d'OpenAI, et Dario Amodei, patron d'Anthropic, étaient présents.")
    assert speakers(analyse(text)) == []
    quoted = "Nous ouvrirons un bureau à Paris.\nSam Altman, patron d'OpenAI"
    assert speakers(analyse(quoted)) == [("Sam Altman", "pull quote")]


def relations(result) -> set[tuple]:
    return {(r.subject.text, r.predicate, r.object.text) for r in result.relations}


RELATION_CASES = [
    ("Lisa Su (la PDG d'AMD) a pris la parole.", {("Lisa Su", "worksFor", "AMD")}),
    ("Nvidia a publié ses résultats, a rappelé son directeur financier Colette Kress.",
     {("Colette Kress", "worksFor", "Nvidia")}),
    ("À la tête de Google DeepMind, Demis Hassabis multiplie les annonces.",
     {("Demis Hassabis", "worksFor", "Google DeepMind")}),
    ("Anthropic, l'éditeur de Claude, lève des fonds.", {("Claude", "creator", "Anthropic")}),
    ("Les outils de Google, comme Gemini et Gemma, progressent vite.",
     {("Gemini", "creator", "Google"), ("Gemma", "creator", "Google")}),
    ("Elon Musk, patron de Tesla et SpaceX, a parlé.",
     {("Elon Musk", "worksFor", "Tesla"), ("Elon Musk", "worksFor", "SpaceX")}),
    ("Larry Page a fondé Google en 1998 avec un camarade, Sergey Brin.",
     {("Google", "founder", "Larry Page"), ("Google", "founder", "Sergey Brin")}),
    ("Les résultats d'AMD, dont la directrice générale Lisa Su parlera jeudi, sont attendus.",
     {("Lisa Su", "worksFor", "AMD")}),
    ("Joëlle Pineau a annoncé qu'elle quittera son poste de vice-présidente de la recherche (IA) chez Meta.",
     {("Joëlle Pineau", "worksFor", "Meta")}),
    ("Mistral AI a lancé Mistral Large 3 et Le Chat Pro.",
     {("Mistral Large 3", "creator", "Mistral AI"), ("Le Chat Pro", "creator", "Mistral AI")}),
    ("Pierre Martin a cofondé en 2023 la start-up Lumen avec Julie Robert, passée par Meta.",
     {("Lumen", "founder", "Pierre Martin"), ("Lumen", "founder", "Julie Robert")}),
    ("Orion Labs a lancé Vega-12B ainsi que Vega-70B.",
     {("Vega-12B", "creator", "Orion Labs"), ("Vega-70B", "creator", "Orion Labs")}),
    ("Orion Labs a sorti mardi un nouveau modèle d'IA générative, K2, salué par les chercheurs.",
     {("K2", "creator", "Orion Labs")}),
    ("Mistral AI a rendu disponible Codestral pour les développeurs.", {("Codestral", "creator", "Mistral AI")}),
    ("Google indique que Gemini est disponible.", set()),
    # a participle phrase that opens the sentence, about the subject after it
    ("La start-up Nexa s'installe à Lyon. Fondée en 2021 par Paul Girard et Julie Martin, Nexa emploie 40 personnes.",
     {("Nexa", "founder", "Paul Girard"), ("Nexa", "founder", "Julie Martin")}),
    ("Développé par la start-up Nexa, le modèle Orion-7B est disponible en open source.",
     {("Orion-7B", "creator", "Nexa")}),
    ("Nommée directrice de la recherche chez Nexa en mars, Julie Martin arrive de Meta.",
     {("Julie Martin", "worksFor", "Nexa")}),
    ("Nexa a été cofondée par deux anciens de DeepMind, Paul Girard et Julie Martin.",
     {("Nexa", "founder", "Paul Girard"), ("Nexa", "founder", "Julie Martin")}),
    ("Paul Girard, qui a quitté Google en 2022 pour cofonder Nexa, est confiant.",
     {("Nexa", "founder", "Paul Girard")}),
    ("Mira Murati, ancienne directrice technique d'OpenAI, a fondé Thinking Machines Lab.",
     {("Thinking Machines Lab", "founder", "Mira Murati")}),
    ("Google a lancé Veo 3, son générateur de vidéos, et Gemini 2.5 Pro.",
     {("Veo 3", "creator", "Google"), ("Gemini 2.5 Pro", "creator", "Google")}),
    ("Alibaba a publié Qwen3-235B-A22B, et DeepSeek a mis à jour DeepSeek-V3.",
     {("Qwen3-235B-A22B", "creator", "Alibaba")}),
    ("Directrice générale de Nexa depuis 2022, Julie Martin a présenté les résultats.",
     {("Julie Martin", "worksFor", "Nexa")}),
    # verbs of employment
    ("Ancien de Google, Paul Girard dirige désormais la start-up Nexa.", {("Paul Girard", "worksFor", "Nexa")}),
    ("Julie Martin a rejoint Nexa en tant que directrice technique.", {("Julie Martin", "worksFor", "Nexa")}),
    ("Nexa a nommé Julie Martin au poste de directrice financière.", {("Julie Martin", "worksFor", "Nexa")}),
    ("Microsoft a recruté Mustafa Suleyman pour diriger sa nouvelle division.",
     {("Mustafa Suleyman", "worksFor", "Microsoft")}),
    ("Nexa, dont Paul Girard est le PDG, a levé 20 millions d'euros.", {("Paul Girard", "worksFor", "Nexa")}),
    ("Jean Dupont, ex-directeur de Nexa, a rejoint Google.", {("Jean Dupont", "worksFor", "Google")}),
    ("Marie Durand, présidente de Nexa, et Paul Girard, vice-président chargé de l'IA chez Nexa, ont répondu.",
     {("Marie Durand", "worksFor", "Nexa"), ("Paul Girard", "worksFor", "Nexa")}),
    ("Mustafa Suleyman dirige depuis mars 2024 la division Microsoft AI.",
     {("Mustafa Suleyman", "worksFor", "Microsoft AI")}),
    ("Paul Girard n'a pas rejoint Nexa.", set()),
    ("Nexa a nommé un nouveau PDG.", set()),
    ("Créée en 2015 par Sam Altman et Elon Musk, OpenAI était une association.",
     {("OpenAI", "founder", "Sam Altman"), ("OpenAI", "founder", "Elon Musk")}),
    ("Fondée en 2021 par Paul Girard, l'entreprise a déménagé à Lyon.", set()),
    ("Développé par Nexa, ce service de cartographie est gratuit.", set()),
    # negatives: a former office, a mere mention of a product beside a company, a model it is compared with
    ("Orion Labs a publié un modèle ouvert, Vega-12B, capable de rivaliser avec GPT-4o.",
     {("Vega-12B", "creator", "Orion Labs")}),
    ("Orion Labs a présenté Vega-12B, plus rapide que Llama 3.", {("Vega-12B", "creator", "Orion Labs")}),
    ("L'ancien patron de Google, Eric Schmidt, investit dans la défense.", set()),
    ("Google a changé de stratégie, comme Microsoft avant lui.", set()),
]


@pytest.mark.parametrize(("text", "expected"), RELATION_CASES)
def test_relations_stated_in_passing(analyse, text, expected):
    assert relations(analyse(text)) == expected


def test_a_name_apposed_to_a_model_noun_is_a_model_unless_it_names_a_person(analyse):
    def typed(text):
        return {(m.text, m.type) for m in analyse(text).mentions}

    assert ("K2", "AIModel") in typed("La société a dévoilé son nouveau modèle de langage, K2, en Chine.")
    assert ("Marc Durand", "Person") in typed("Le ministre a présenté son assistant, Marc Durand, aux journalistes.")
    assert not any(t == "AIModel" for _, t in typed("Ce modèle économique, Paris le connaît bien."))


def test_an_organisation_noun_launching_a_model_stands_for_the_organisation_named_most(analyse):
    text = ("La start-up Lumen recrute à Paris. La jeune pousse, qui emploie 40 personnes, a dévoilé jeudi "
            "Lumen-7B, un modèle de langage ouvert.")
    assert ("Lumen-7B", "creator", "Lumen") in relations(analyse(text))
    assert not relations(analyse("La jeune pousse a dévoilé jeudi Lumen-7B, un modèle de langage ouvert."))


def test_a_possessive_title_in_a_sentence_without_organisation_is_the_topic_s(analyse):
    text = ("Le groupe américain Nvidia a salué une année record. Son PDG, Jensen Huang, a assuré que la demande "
            "restait forte.")
    assert ("Jensen Huang", "worksFor", "Nvidia") in relations(analyse(text))
    text = "La start-up Lumen recrute. « Nous grandissons », explique Pierre Martin, son directeur général."
    assert ("Pierre Martin", "worksFor", "Lumen") in relations(analyse(text))
    assert not relations(analyse("« Nous grandissons », explique Pierre Martin, son directeur général."))


def test_names_that_differ_by_spaces_honorifics_or_a_typo_are_one_entity(analyse):
    text = ("OpenAI recrute. Open AI grandit. Joëlle Pineau quitte Meta. Mme Pineau reste à Montréal. "
            "Karl Tuyls rejoint Meta. Karl Tulys y dirigera la recherche.")
    extraction = resolve(analyse(text), load_kb())
    names = {e.name: e.forms for e in extraction.entities}
    assert "Open AI" in names["OpenAI"]
    assert any("Mme Pineau" in forms for name, forms in names.items() if name.endswith("Pineau"))
    assert sum(1 for n in names if n.startswith("Karl")) == 1


def test_a_spokesperson_speaks_for_the_organisation_and_an_unnamed_someone_for_no_one(analyse):
    assert speakers(analyse("Un porte-parole de Google a indiqué que l'entreprise examinait la décision.")) == [
        ("Google", "title")]
    text = "Sam Altman est arrivé à Paris. Selon un porte-parole d'OpenAI, le modèle sera disponible en juin."
    assert [s for s, _ in speakers(analyse(text))] == ["OpenAI"]
    assert speakers(analyse("Sam Altman est arrivé à Paris. Selon un chercheur, le modèle sera prêt en juin.")) == []


def test_a_reporting_verb_tagged_as_a_noun_before_que(analyse):
    assert speakers(analyse("Clara Chappaz juge que la régulation est indispensable.")) == [
        ("Clara Chappaz", "subject")]
    assert speakers(analyse("Le juge que la cour a nommé est parti.")) == []


def test_words_of_contempt_are_criticism(analyse):
    result = analyse("Dans un message publié sur X, Elon Musk a qualifié le projet de « désastre ».")
    assert [c.stance for c in result.claims] == ["criticism"]


def test_people_who_appoint_stay_people(analyse):
    mentions = analyse("Jean Dupont a nommé Marie Durand directrice financière. "
                       "Marie Durand, dont Jean Dupont est le mari, a parlé.").mentions
    assert {(m.text, m.type) for m in mentions} == {("Jean Dupont", "Person"), ("Marie Durand", "Person")}


def test_calls_to_act_and_what_is_said_to_be_essential_are_support(analyse):
    for text in ("Le fondateur de Mistral AI, Arthur Mensch, a appelé l'Europe à investir davantage.",
                 "Arthur Mensch a répété que l'open source était essentiel."):
        assert [c.stance for c in analyse(text).claims] == ["support"], text
    assert [c.stance for c in analyse("Arthur Mensch a répété que le calendrier était serré.").claims] == ["neutral"]


def test_a_headline_announcing_an_interview_gives_the_answers_to_its_guest(analyse):
    text = ("Entretien avec Arthur Mensch, cofondateur de Mistral AI\n\n"
            "Quelle est votre ambition ?\n\nNous voulons devenir le leader européen de l'IA.")
    assert speakers(analyse(text)) == [("Arthur Mensch", "interview")]
    other = ("Arthur Mensch, cofondateur de Mistral AI, à Paris\n\n"
             "Quelle est votre ambition ?\n\nNous voulons devenir le leader européen de l'IA.")
    assert speakers(analyse(other)) == []


def test_a_marker_before_a_title_and_a_name(analyse):
    text = "Pour la ministre Clara Chappaz, l'enjeu est européen. Elle estime que la France doit accélérer."
    assert speakers(analyse(text)) == [("Clara Chappaz", "marker"), ("Clara Chappaz", "pronoun")]
    assert speakers(analyse("Pour la ministre, l'enjeu est européen.")) == []


def test_on_in_an_incise_at_an_organisation_is_the_organisation(analyse):
    assert speakers(analyse("« Le modèle est prêt », assure-t-on chez Mistral AI.")) == [("Mistral AI", "incise")]
    assert speakers(analyse("« Nous ne commentons pas », explique-t-on du côté de Google.")) == [
        ("Google", "incise")]
    assert speakers(analyse("« C'est prêt », assure-t-on.")) == []


def test_beliefs_stated_with_a_copula_are_claims_but_not_impersonal_certainty(analyse):
    assert speakers(analyse("Sam Altman est convaincu que l'AGI arrivera bientôt.")) == [("Sam Altman", "subject")]
    assert speakers(analyse("Yann LeCun se dit persuadé que les LLM ne suffiront pas.")) == [
        ("Yann LeCun", "subject")]
    assert speakers(analyse("Sam Altman parle. Il est certain que le marché va croître.")) == []
    assert speakers(analyse("Sam Altman a parlé devant un public convaincu.")) == []


def test_a_day_or_an_adverb_may_stand_between_the_verb_and_que(analyse):
    text = "Joëlle Pineau quitte Meta. La Montréalaise a mentionné mardi que son départ aura lieu en mai."
    result = analyse(text)
    assert speakers(result) == [("Joëlle Pineau", "title")]
    assert [c.stance for c in result.claims] == ["neutral"]  # "aura lieu" schedules, it does not forecast
    assert speakers(analyse("Le journal a révélé des documents que Meta avait cachés.")) == []


def test_founders_named_before_an_organisation_noun_are_the_topic_s(analyse):
    def founders(text):
        return {(r.subject.text, r.object.text) for r in analyse(text).relations if r.predicate == "founder"}

    assert founders("La start-up Nexa recrute. Fondée en 2021 par plusieurs anciens salariés d'OpenAI, parmi "
                    "lesquels Paul Girard et sa sœur Julie Girard, la start-up s'est construite sur une promesse.") == {
        ("Nexa", "Paul Girard"), ("Nexa", "Julie Girard")}
    assert not founders("La start-up Nexa recrute. Fondée en 2021 par Paul Girard, la ville compte 3000 habitants.")


def test_a_title_at_an_organisation_noun_is_a_role_at_the_topic(analyse):
    def roles(text):
        return {(r.subject.text, r.object.text, r.role) for r in analyse(text).relations if r.predicate == "worksFor"}

    assert roles("La start-up Nexa recrute. Pour Théo Brunel, directeur technique de la start-up, l'enjeu reste "
                 "la fiabilité.") == {("Théo Brunel", "Nexa", "directeur technique")}
    assert not roles("La start-up Nexa recrute. Paul Girard, client de la société, a parlé.")


def test_names_with_a_particle_company_suffixes_and_bare_titles(analyse):
    def typed(text):
        return {(m.text, m.type) for m in analyse(text).mentions}

    assert typed("Caroline de Camaret a déclaré que le projet avançait.") == {("Caroline de Camaret", "Person")}
    assert ("Google", "Organization") in typed("Caroline de Google a déclaré que le projet avançait.")
    assert ("Aglaé Ventures", "Organization") in typed("Bernard Arnault a investi via Aglaé Ventures.")
    assert not any(t == "Organization" for _, t in typed("Laurent Sifre, CTO, a parlé. Le CTO a répondu."))


def test_an_incise_speaker_after_a_day_and_a_place(analyse):
    text = "« Nous allons accélérer », a déclaré mardi à Paris le patron de Mistral AI, Arthur Mensch."
    assert speakers(analyse(text)) == [("Arthur Mensch", "incise")]


def test_a_line_that_tells_what_someone_does_is_no_pull_quote_attribution(analyse):
    text = ("Les investisseurs, parmi lesquels Nvidia et Microsoft, ont misé sur Mistral AI.\n"
            "Arthur Mensch, 32 ans, dirige Mistral AI.")
    assert speakers(analyse(text)) == []


def test_a_title_noun_is_no_reporting_verb(analyse):
    text = "L'ancien ministre Cédric O, conseiller de Mistral AI, défend le modèle européen."
    assert [c.cue for c in analyse(text).claims] == ["défend"]
