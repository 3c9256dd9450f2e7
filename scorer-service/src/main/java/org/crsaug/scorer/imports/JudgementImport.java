package org.crsaug.scorer.imports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.crsaug.data.item.ItemText;
import org.crsaug.platform.deadletter.DeadLetters;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Item;
import org.crsaug.schema.Judgement;
import org.crsaug.scorer.llm.LlmJudge;

/**
 * Judgements made elsewhere (annotators, another LLM run) into the judgement cache. Every row is checked
 * first: its context and item must be published, its score within 0..4, and its cache key must not carry
 * another score (in the file or, unless replacing, in the cache). The key is {@link LlmJudge#cacheKey} of the
 * scorer's model, prompt version, context text and item text, so the scorer takes the row as a cache hit.
 * Then the good rows and the dead letters of the bad ones are published in one Kafka transaction: a crash
 * leaves the whole file applied or none of it. Strict, a file with any bad row publishes only its dead letters.
 *
 * <p>Its only side effect is the transactional producer it is given (transactions initialised by the caller).
 */
public final class JudgementImport {

    public static final String STAGE = "import-judgements";

    /** What the scorer would look a row up under, and the provenance the row is published with. */
    public record Judge(String model, String promptVersion, String judgeId, String judgeVersion) {
    }

    /** The published contexts, items and cached judgements the rows are checked against. */
    public interface Catalogue {
        /** The context's text exactly as the retriever puts it on its candidates. */
        Optional<String> contextText(String contextId);

        Optional<Item> item(String itemId);

        Optional<Judgement> cached(String cacheKey);
    }

    /** A row not imported, with its line and why; it is on dead-letters. */
    public record Bad(long line, String reason, String raw) {
        @Override
        public String toString() {
            return "line " + line + ": " + reason;
        }
    }

    /**
     * @param rows          data rows read (malformed lines included)
     * @param imported      judgements published
     * @param alreadyCached rows whose key is cached with the same score: not sent again
     * @param duplicates    rows repeating an earlier row's key and score
     * @param held          good rows not published because the import was strict and a row was bad
     */
    public record Outcome(int rows, int imported, int alreadyCached, int duplicates, int held, List<Bad> bad) {
        public boolean clean() {
            return bad.isEmpty();
        }

        public String summary() {
            String s = rows + " rows: " + imported + " judgements imported, " + alreadyCached + " already cached, "
                    + duplicates + " duplicate rows, " + bad.size() + " bad rows sent to dead-letters";
            return held > 0 ? s + ", " + held + " good rows not imported because --strict takes the file whole or"
                    + " not at all" : s;
        }
    }

    private record Checked(JudgementRows.Row row, float score) {
    }

    private final Platform platform;
    private final KafkaProducer<String, byte[]> producer;

    public JudgementImport(Platform platform, KafkaProducer<String, byte[]> producer) {
        this.platform = platform;
        this.producer = producer;
    }

    /**
     * Checks and publishes one file.
     *
     * @param source  the file as named in dead letters
     * @param replace a key cached with another score is overwritten (without: the row is bad)
     * @param strict  any bad row: publish nothing but the dead letters
     */
    public Outcome importRows(JudgementRows.Parsed parsed, String source, Catalogue catalogue, Judge judge,
            boolean replace, boolean strict) {
        List<Bad> bad = new ArrayList<>();
        parsed.malformed().forEach(m -> bad.add(new Bad(m.line(), "malformed row: " + m.reason(), m.raw())));
        // first every row on its own, grouped by cache key
        Map<String, List<Checked>> byKey = new LinkedHashMap<>();
        for (JudgementRows.Row row : parsed.rows()) {
            Optional<String> context = catalogue.contextText(row.contextId());
            Optional<Item> item = catalogue.item(row.itemId());
            if (context.isEmpty()) {
                bad.add(new Bad(row.line(), "unknown context " + row.contextId() + ": no published dialogue has it"
                        + " (ingest the dialogue first; context ids are <dialogue id>#<turn index>)", row.raw()));
            } else if (item.isEmpty()) {
                bad.add(new Bad(row.line(), "unknown item " + row.itemId() + ": not on the items topic", row.raw()));
            } else if (!(row.score() >= 0 && row.score() <= 4)) {
                bad.add(new Bad(row.line(), "score " + row.score() + " is outside 0..4", row.raw()));
            } else {
                String key = LlmJudge.cacheKey(judge.model(), judge.promptVersion(), context.get(),
                        ItemText.describe(item.get()));
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Checked(row, (float) row.score()));
            }
        }
        // then each key: one score in the file, and the same as the cache's or replacing it
        Map<String, Judgement> good = new LinkedHashMap<>();
        int cached = 0;
        int duplicates = 0;
        long now = System.currentTimeMillis();
        for (Map.Entry<String, List<Checked>> e : byKey.entrySet()) {
            List<Checked> rows = e.getValue();
            JudgementRows.Row first = rows.get(0).row();
            if (rows.stream().map(Checked::score).distinct().count() > 1) {
                // no way to tell which score is meant, so none of the rows counts
                List<Long> lines = rows.stream().map(c -> c.row().line()).toList();
                rows.forEach(c -> bad.add(new Bad(c.row().line(), "duplicate key with a different score: lines "
                        + lines + " give context " + c.row().contextId() + " and item " + c.row().itemId()
                        + " (one cache key) different scores; keep one", c.row().raw())));
                continue;
            }
            duplicates += rows.size() - 1;
            float score = rows.get(0).score();
            Optional<Judgement> hit = catalogue.cached(e.getKey());
            if (hit.isPresent() && hit.get().getScore() == score) {
                cached++;
                continue;
            }
            if (hit.isPresent() && !replace) {
                bad.add(new Bad(first.line(), "the judgement cache already holds score " + hit.get().getScore()
                        + " for this pair (judge " + hit.get().getJudgeId() + " " + hit.get().getJudgeVersion()
                        + "); import with --replace to overwrite it", first.raw()));
                continue;
            }
            good.put(e.getKey(), Judgement.newBuilder().setCacheKey(e.getKey()).setModel(judge.model())
                    .setPromptVersion(judge.promptVersion()).setContextId(first.contextId())
                    .setItemId(first.itemId()).setScore(score).setJudgedAtMs(now).setJudgeId(judge.judgeId())
                    .setJudgeVersion(judge.judgeVersion()).setReplyFormat(null).build());
        }
        bad.sort(java.util.Comparator.comparingLong(Bad::line));
        boolean publishGood = bad.isEmpty() || !strict;
        publish(publishGood ? good.values() : List.of(), bad, source);
        return new Outcome(parsed.rows().size() + parsed.malformed().size(), publishGood ? good.size() : 0,
                cached, duplicates, publishGood ? 0 : good.size(), bad);
    }

    private void publish(java.util.Collection<Judgement> judgements, List<Bad> bad, String source) {
        try {
            producer.beginTransaction();
            for (Judgement j : judgements) {
                send(Topics.JUDGEMENTS, j.getCacheKey(), j);
            }
            for (Bad b : bad) {
                DeadLetter letter = DeadLetters.fromFileLine(source, b.line(), STAGE, b.reason(), b.raw());
                send(Topics.DEAD_LETTERS, DeadLetters.key(letter), letter);
            }
            producer.commitTransaction();
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException again) {
                e.addSuppressed(again);
            }
            throw new IllegalStateException("Could not publish to Kafka at " + platform.bootstrapServers()
                    + "; nothing of " + source + " was imported: " + DeadLetters.describe(e), e);
        }
    }

    private <V extends SpecificRecord> void send(TopicSpec<V> spec, String key, V value) {
        String topic = platform.config().topic(spec);
        producer.send(new ProducerRecord<>(topic, key, platform.valueSerde(spec).serializer().serialize(topic, value)));
    }
}
