#!/usr/bin/env python3
"""Writes a made-up ReDial and INSPIRED (about 0.8 MB) into the directory it is given.

Tests run on it where the real mirror is absent (a fresh clone, CI without ../shared/data), so it has
to exercise the readers the way the real files do and carry signal a recommender can learn from:
every dialogue is about one genre, plots and requests use that genre's words (so a sentence encoder
maps a request near the right plots), and popular movies of a genre are co-mentioned far more often
than chance. Output is a pure function of SEED: rerunning rewrites identical bytes.

    python3 testdata/generate_synthetic.py target/synthetic-data    # stdlib only

The build runs it before the tests (root pom, generate-test-resources) and the tests read its output;
the output is not committed, so no file in the repository looks like a copy of the real datasets.
A stamp of this script's own digest lets every module after the first skip the work.
"""
import hashlib
import sys
import json
import os
import random

SEED = 20240611

# Each genre: title words, plot sentences, what a seeker says, what a recommender says of a film.
GENRES = {
    "horror": (["Hollow", "Crypt", "Whisper", "Lantern", "Cellar", "Ghost", "Night", "Shadow"],
               ["A family moves into a haunted house where ghosts scream through the walls at night.",
                "A demon possesses a quiet village and the survivors are hunted in the dark.",
                "Teenagers trapped in an abandoned asylum are stalked by a terrifying spirit.",
                "A cursed doll brings blood, nightmares and screaming to everyone who keeps it."],
               ["something really scary with ghosts", "a terrifying haunted house movie",
                "a horror film that will give me nightmares"],
               ["it is genuinely terrifying", "the ghost scenes made me scream", "so creepy and scary"]),
    "animation": (["Paws", "Meadow", "Balloon", "Tiny", "Fox", "Rainbow", "Puddle", "Whiskers"],
                  ["An animated adventure in which a talking fox and his forest friends save their home.",
                   "A cartoon about a brave little rabbit who learns to fly with a flock of geese.",
                   "Talking toys go on a colourful journey across town to find the child who lost them.",
                   "A young penguin sings and dances her way through a magical animated kingdom."],
                  ["a cartoon to watch with my kids", "an animated film with talking animals",
                   "something fun for the little ones"],
                  ["the kids will love the talking animals", "beautifully animated and sweet",
                   "a lovely cartoon for the whole family"]),
    "comedy": (["Wedding", "Roommates", "Office", "Blunder", "Pickle", "Weekend", "Uncle", "Hiccup"],
               ["Two clumsy roommates accidentally sell their landlord's car and chaos follows.",
                "A hilarious road trip goes wrong when three friends lose the groom before the wedding.",
                "A lazy office worker fakes a promotion and the jokes never stop.",
                "A goofy uncle babysits for a weekend and turns the house upside down."],
               ["a funny comedy that makes me laugh", "something silly and hilarious",
                "a light comedy for a friday night"],
               ["I laughed the whole time", "really hilarious", "the jokes are great"]),
    "romance": (["Letters", "Summer", "Promise", "Kiss", "Paris", "Heart", "Vineyard", "Forever"],
                ["Two strangers fall in love over one summer in Paris and write letters for years.",
                 "A widowed baker finds love again with the shy florist across the street.",
                 "Childhood sweethearts meet again at a wedding and old feelings return.",
                 "A love story between a musician and a painter who cannot stay in one city."],
                ["a romantic love story", "a sweet romance to watch with my partner",
                 "something romantic and heartfelt"],
                ["such a beautiful love story", "very romantic", "it made me cry happy tears"]),
    "sci-fi": (["Orbit", "Nebula", "Android", "Quantum", "Mars", "Signal", "Starship", "Circuit"],
               ["Astronauts on a distant space station discover an alien signal from another galaxy.",
                "A robot gains consciousness and questions its creators in a future city.",
                "Colonists on Mars fight to survive when their starship is stranded in orbit.",
                "A scientist travels through time and must stop a quantum experiment destroying Earth."],
               ["science fiction set in space", "a sci-fi movie about aliens or robots",
                "something futuristic with spaceships"],
               ["the space scenes are stunning", "clever science fiction", "great aliens and technology"]),
    "action": (["Strike", "Bullet", "Pursuit", "Fury", "Vendetta", "Blast", "Heist", "Siege"],
               ["An ex-soldier fights his way through a city of gangsters to rescue his daughter.",
                "A high-speed car chase and explosions follow a heist gone wrong.",
                "A lone cop battles terrorists who have taken over a skyscraper.",
                "A martial arts master takes revenge on the crime boss who betrayed him."],
               ["an action movie with explosions and fights", "something with car chases and shootouts",
                "a big action blockbuster"],
               ["nonstop action", "the fight scenes are amazing", "huge explosions and chases"]),
    "drama": (["River", "Silence", "Harvest", "Winter", "Father", "Letters", "Island", "Ashes"],
              ["A struggling farmer and his estranged son reconcile during a hard winter.",
               "A teacher in a poor town fights to give her students a future.",
               "A family is torn apart by grief after the death of their mother.",
               "An elderly man looks back on the choices that shaped his life."],
              ["a serious emotional drama", "a moving drama about family",
               "something thoughtful and emotional"],
              ["very moving and powerful", "the acting is incredible", "a heartbreaking story"]),
    "thriller": (["Witness", "Cipher", "Alibi", "Undercover", "Motive", "Trap", "Vanishing", "Verdict"],
                 ["A detective hunts a serial killer who leaves riddles at every crime scene.",
                  "A woman wakes up with no memory and is framed for a murder.",
                  "An undercover agent must find the mole before the cartel discovers him.",
                  "A journalist uncovers a conspiracy and becomes the next target."],
                 ["a suspenseful mystery thriller", "a crime thriller with plot twists",
                  "something tense with a detective"],
                 ["full of suspense and twists", "I never guessed the killer", "keeps you on the edge"]),
    "western": (["Dust", "Canyon", "Saddle", "Outlaw", "Frontier", "Sheriff", "Mesa", "Rattlesnake"],
                ["A lone gunslinger rides into a frontier town ruled by outlaws.",
                 "A sheriff and his deputies hunt cattle rustlers across the desert canyon.",
                 "Cowboys drive a herd across the plains while bandits follow them.",
                 "A bounty hunter and a reformed outlaw team up in the wild west."],
                ["a classic western with cowboys", "a movie about outlaws in the wild west",
                 "something with gunslingers and horses"],
                ["a great cowboy movie", "the showdown is epic", "classic wild west"]),
    "documentary": (["Planet", "Ocean", "Voices", "Archive", "Expedition", "Glacier", "Coral", "Record"],
                    ["A documentary following scientists who study melting glaciers in the Arctic.",
                     "Real footage of coral reefs and the ocean creatures that live there.",
                     "A documentary about musicians who changed history, told through interviews.",
                     "An expedition records the wildlife of the rainforest over a whole year."],
                    ["a documentary about nature", "a real story documentary",
                     "something educational about the planet"],
                    ["I learned so much", "amazing real footage", "fascinating documentary"]),
}
NAMES = ["Alex", "Morgan", "Sam", "Jordan", "Casey", "Riley", "Quinn", "Avery", "Taylor", "Jamie",
         "Robin", "Drew", "Emery", "Hayden", "Kendall", "Logan", "Parker", "Reese", "Sawyer", "Skyler"]
SURNAMES = ["Abbot", "Brook", "Carver", "Dale", "Ellis", "Finch", "Grant", "Hale", "Ives", "Jensen",
            "Keller", "Lowe", "Marsh", "Noble", "Oakes", "Price", "Quill", "Rowe", "Stone", "Thorne"]
PER_GENRE = 24


def person(rng):
    return rng.choice(NAMES) + " " + rng.choice(SURNAMES)


def make_movies(rng):
    """One catalogue shared by both datasets, so a change to it changes both the same way."""
    movies = []
    used = set()
    for genre, (words, plots, _, _) in GENRES.items():
        for i in range(PER_GENRE):
            while True:
                title = "The " + rng.choice(words) + " " + rng.choice(["of", "in", "and"]) + " " + rng.choice(
                    words + ["Stars", "Time", "Home", "Fire"]) if rng.random() < 0.4 else rng.choice(
                    words) + " " + rng.choice(words + ["II", "Rising", "Returns", "Story", "Road"])
                year = rng.randint(1960, 2020)
                full = "%s (%d)" % (title, year)
                if full.lower() not in used:
                    used.add(full.lower())
                    break
            second = [g for g in GENRES if g != genre]
            genres = [genre] + ([rng.choice(second)] if rng.random() < 0.2 else [])
            movies.append({"title": title, "year": year, "genre": genre, "genres": genres,
                           "plot": plots[i % len(plots)] + " " + rng.choice(plots),
                           "director": [person(rng)], "writer": [person(rng), person(rng)][:rng.randint(1, 2)],
                           "star": [person(rng) for _ in range(3)],
                           # a few favourites per genre: the co-mention signal
                           "weight": 8.0 if i < 4 else 1.0 / (1 + i * 0.15)})
    return movies


def by_genre(movies):
    out = {}
    for m in movies:
        out.setdefault(m["genre"], []).append(m)
    return out


def pick(rng, pool, k, exclude=()):
    chosen = []
    candidates = [m for m in pool if m not in exclude]
    while len(chosen) < k and candidates:
        m = rng.choices(candidates, weights=[c["weight"] for c in candidates])[0]
        chosen.append(m)
        candidates.remove(m)
    return chosen


def script(rng, genres):
    """One conversation as (speaker, text, movies) turns: a seeker's taste, then recommendations."""
    genre = rng.choice(list(GENRES))
    _, _, asks, praises = GENRES[genre]
    pool = genres[genre]
    liked = pick(rng, pool, rng.randint(1, 2))
    recs = pick(rng, pool, rng.randint(2, 3), exclude=liked)
    turns = [("R", rng.choice(["Hi! What kind of movies do you like?", "Hello, what are you in the mood for?"]), []),
             ("S", "Hi, I want %s. I really liked {0}." % rng.choice(asks) if len(liked) == 1
              else "Hi, I want %s. I loved {0} and {1}." % rng.choice(asks), liked)]
    for i, m in enumerate(recs):
        praise = rng.choice(praises)
        turns.append(("R", ("Then you should watch {0}, %s." if i == 0 else "Also try {0}; %s.") % praise, [m]))
        if i < len(recs) - 1:
            turns.append(("S", rng.choice(["Sounds good, what else?", "I have not seen that one. Anything else?",
                                            "Nice, one more?"]), []))
    turns.append(("S", rng.choice(["Thanks, I will watch them!", "Great, thank you!", "Perfect, bye!"]), []))
    return genre, liked, recs, turns


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=True) + "\n")


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, ensure_ascii=True, indent=0)
        f.write("\n")


def label(m):
    return "%s (%d)" % (m["title"], m["year"])


def inspired(rng, movies, genres, out):
    os.makedirs(out, exist_ok=True)
    # about one movie in eight has no metadata, as in the real INSPIRED (where it is 40%): title-only items
    no_meta = set(id(m) for m in rng.sample(movies, len(movies) // 8))
    id2info, entity2id = {}, {}
    next_id = 0
    for m in movies:
        if id(m) in no_meta:
            continue
        m["inspired_id"] = next_id
        id2info[str(next_id)] = {"name": label(m), "plot": m["plot"], "star": m["star"],
                                 "director": m["director"], "genre": m["genres"]}
        entity2id[label(m)] = next_id
        next_id += 1
    # entity2id also names people, as the real one does; the reader must not take them for movies
    for m in movies[:20]:
        entity2id.setdefault(m["star"][0], next_id)
        next_id += 1
    write_json(os.path.join(out, "id2info.json"), id2info)
    write_json(os.path.join(out, "entity2id.json"), entity2id)
    for split, count in (("train", 160), ("valid", 25), ("test", 25)):
        rows = []
        for n in range(count):
            _, _, _, turns = script(rng, genres)
            dialogue = []
            for speaker, text, ms in turns:
                # dialogues sometimes change a title's case, which the reader must resolve
                titles = [label(m).upper() if rng.random() < 0.05 else label(m) for m in ms]
                dialogue.append({"text": text.format(*titles), "role": "SEEKER" if speaker == "S" else "RECOMMENDER",
                                 "movie": titles, "entity_link": [], "entity_name": [],
                                 "movie_link": ["<http://example.org/movie/%d>" % i for i, _ in enumerate(ms)],
                                 "movie_name": titles})
            rows.append(dialogue)
        write_jsonl(os.path.join(out, split + ".jsonl"), rows)


def redial(rng, movies, genres, out):
    os.makedirs(out, exist_ok=True)
    for i, m in enumerate(movies):
        m["redial_id"] = 70000 + i * 37
    # the CSV's quirks: a double space before the year, one URL-encoded title, a quoted title with commas
    movies[1]["title"] = "Wait, What, Really"
    movies[2]["title"] = "Why Not?"
    no_meta = set(id(m) for m in rng.sample(movies, len(movies) // 20))
    mentions = {id(m): 0 for m in movies}
    files = {}
    conversation = 1000
    worker = 1
    for name, count, merged in (("train_data_partial.jsonl", 150, False), ("train_data_merged_turns.jsonl", 30, True),
                                ("test_data.jsonl", 40, False)):
        rows = []
        for n in range(count):
            conversation += 1
            seeker, recommender = worker, worker + 1
            worker += 2
            _, liked, recs, turns = script(rng, genres)
            messages, offset, message_id = [], 0, conversation * 100
            for speaker, text, ms in turns:
                parts = [text.format(*("@%d" % m["redial_id"] for m in ms))]
                if not merged and speaker == "S" and rng.random() < 0.3:
                    # the original files keep a speaker's consecutive messages apart
                    parts.append(rng.choice(["haha", "by the way", "I am open to anything"]))
                for part in parts:
                    msg = {"timeOffset": offset, "text": part,
                           "senderWorkerId": seeker if speaker == "S" else recommender, "messageId": message_id}
                    if merged:
                        msg = {"senderWorkerId": msg["senderWorkerId"], "text": part}
                    messages.append(msg)
                    offset += rng.randint(5, 40)
                    message_id += 1
            mentioned = liked + recs
            for m in mentioned:
                mentions[id(m)] += 1

            def answers(m, suggested):
                return {"suggested": 1 if suggested else 0, "seen": rng.choice([0, 1, 2]),
                        "liked": 1 if rng.random() < 0.85 else rng.choice([0, 2])}
            questions = {str(m["redial_id"]): answers(m, m in recs) for m in mentioned}
            rows.append({"movieMentions": {str(m["redial_id"]): label(m) for m in mentioned},
                         "respondentQuestions": questions if rng.random() < 0.9 else [],
                         "messages": messages, "conversationId": str(conversation),
                         "respondentWorkerId": recommender, "initiatorWorkerId": seeker,
                         "initiatorQuestions": questions})
        files[name] = rows
    for name, rows in files.items():
        write_jsonl(os.path.join(out, name), rows)
    with open(os.path.join(out, "movies_with_mentions.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("movieId,movieName,nbMentions\n")
        for i, m in enumerate(movies):
            title = label(m)
            if i % 9 == 0:
                title = "%s  (%d)" % (m["title"], m["year"])
            title = title.replace("?", "%3F")
            if "," in title:
                title = '"%s"' % title
            f.write("%d,%s,%d\n" % (m["redial_id"], title, mentions[id(m)]))
    write_json(os.path.join(out, "id2info.json"), {
        str(m["redial_id"]): {"name": label(m), "genre": m["genres"], "plot": m["plot"], "director": m["director"],
                              "writer": m["writer"], "star": m["star"], "imdb_id": "tt%07d" % m["redial_id"]}
        for m in movies if id(m) not in no_meta})


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: generate_synthetic.py OUTPUT_DIR")
    out = sys.argv[1]
    with open(os.path.abspath(__file__), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    stamp = os.path.join(out, ".generated-by")
    if os.path.exists(stamp) and open(stamp).read() == digest:
        return
    rng = random.Random(SEED)
    movies = make_movies(rng)
    genres = by_genre(movies)
    inspired(rng, movies, genres, os.path.join(out, "inspired"))
    redial(rng, movies, genres, os.path.join(out, "redial"))
    # written last: an interrupted run leaves no stamp and is redone
    with open(stamp, "w") as f:
        f.write(digest)


if __name__ == "__main__":
    main()
