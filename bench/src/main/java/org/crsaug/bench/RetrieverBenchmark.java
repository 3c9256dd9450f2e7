package org.crsaug.bench;

import org.crsaug.retriever.CandidateSource;
import org.crsaug.retriever.ContextRetriever;
import org.crsaug.retriever.CountingEncoder;
import org.crsaug.retriever.EmbeddingCache;
import org.crsaug.retriever.ItemEmbedder;
import org.crsaug.data.context.RetrievalText;
import org.crsaug.retriever.CentringSample;
import org.crsaug.retriever.RetrieverParts;
import org.crsaug.retriever.RetrieverSettings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.dataset.DataDirectory;
import org.crsaug.data.dataset.DatasetSink;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.data.dataset.ParseFailure;
import org.crsaug.model.encoder.OnnxEncoder;
import org.crsaug.model.encoder.OnnxModelSpec;
import org.crsaug.model.encoder.TextEncoder;
import org.crsaug.model.encoder.TextEncoders;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;

/**
 * What {@code crs bench retriever} prints: candidate quality on held-out gold without any training,
 * per candidate source and semantic variant; encoder throughput; search latency; and cold versus
 * warm wall time. It runs the service's own classes ({@link ContextRetriever}, {@link ItemEmbedder},
 * the sources) on the dataset files, without Kafka, so the numbers are the retrieval step's alone.
 */
public final class RetrieverBenchmark {

    /** Labels are a context's best {@value} candidates, as the retrieval-only judge takes them. */
    static final int LABELS = 5;
    private static final int REPEATS = 3;

    private final CrsConfig config;
    private final PrintStream out;
    private final RetrieverSettings base;

    public RetrieverBenchmark(CrsConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
        this.base = RetrieverSettings.fromConfig(config);
    }

    /** A dataset as read from its files: the catalogue and every dialogue. */
    record Data(String name, List<Item> items, List<Dialogue> dialogues) {
    }

    /**
     * @param everyNth   use every n-th dialogue of each split for the quality and timing parts (1 = all);
     *                   the co-mention statistics always see every training dialogue
     * @param variants   also measure the semantic variants (plain/enriched text, centred or not)
     */
    public void run(List<String> datasets, int everyNth, boolean variants) {
        Path models = config.modelCache();
        try (TextEncoder raw = TextEncoders.create(config, models)) {
            line("encoder %s, k=%d, labels=top-%d, cores=%d%n", raw.id(), base.topK(), LABELS,
                    Runtime.getRuntime().availableProcessors());
            boolean comparedEncoders = false;
            for (String name : datasets) {
                Data data = read(name);
                line("%n== %s: %d items, %d dialogues (every %d. dialogue used for quality/timing)%n",
                        name, data.items().size(), data.dialogues().size(), everyNth);
                if (!comparedEncoders) {
                    compareBundledEncoders(data, models);
                    comparedEncoders = true;
                }
                benchDataset(raw, data, everyNth, variants);
            }
        }
    }

    Data read(String dataset) {
        Path dir = DataDirectory.datasetDir(config, dataset);
        List<Item> items = new ArrayList<>();
        List<Dialogue> dialogues = new ArrayList<>();
        Datasets.read(dataset, dir, new DatasetSink() {
            @Override
            public void item(Item item) {
                items.add(item);
            }

            @Override
            public void dialogue(Dialogue dialogue) {
                dialogues.add(dialogue);
            }

            @Override
            public void failure(ParseFailure failure) {
                // the ingest command reports bad lines; the benchmark measures what parses
            }
        });
        return new Data(dataset, items, dialogues);
    }

    private void benchDataset(TextEncoder raw, Data data, int everyNth, boolean variants) {
        List<Dialogue> sample = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Dialogue d : data.dialogues()) {
            if (seen.merge(d.getSplit(), 1, Integer::sum) % everyNth == 0) {
                sample.add(d);
            }
        }
        // candidates for train and valid contexts: the real gold of those is held out from nothing
        // the retriever sees except the co-mention statistics of *other* dialogues
        RetrieverSettings settings = new RetrieverSettings(base.topK(), base.contextMaxChars(), base.encoderMaxChars(),
                Set.of("train", "valid"), base.source(), base.enrichContext(), base.centre(),
                base.collaborativeSplits(), base.searchThreads());

        // cold: empty cache, every item and context encoded; warm: same cache, nothing to encode
        Map<String, Map<Boolean, EmbeddingCache>> caches = new HashMap<>();
        EmbeddingCache configuredCache = new EmbeddingCache(raw.id());
        Run cold = produce(raw, data, sample, settings, configuredCache);
        Run warm = produce(raw, data, sample, settings, configuredCache);
        line("candidates for %d contexts (%s): cold %.1f s (%d texts encoded), warm %.2f s (%d encoded)%n",
                cold.contexts, settings.source(), cold.seconds, cold.encoded, warm.seconds, warm.encoded);
        caches.computeIfAbsent("text", k -> new HashMap<>()).put(settings.enrichContext(), configuredCache);

        Popularity pop = Popularity.of(data.dialogues(), base.collaborativeSplits());
        line("%-34s %7s %7s %8s %8s %8s   %s%n", "source / variant", "hit@5", "hit@k",
                "top20@5", "cov@5", "cov@k", "candidate popularity (head 1% / 1-10% / 10-50% / tail+unmentioned)");
        line("%-34s %7s %7s %7.1f%% %8s %8s%n", "(real gold labels, for reference)", "", "",
                100 * top20Share(goldLabels(sample)), "", "");
        List<String[]> configs = new ArrayList<>();
        if (variants) {
            for (boolean enrich : new boolean[] {false, true}) {
                for (boolean centre : new boolean[] {false, true}) {
                    configs.add(new String[] {CandidateSource.SEMANTIC, Boolean.toString(enrich), Boolean.toString(centre)});
                }
            }
        } else {
            configs.add(new String[] {CandidateSource.SEMANTIC, Boolean.toString(base.enrichContext()),
                    Boolean.toString(base.centre())});
        }
        configs.add(new String[] {CandidateSource.COLLABORATIVE, Boolean.toString(base.enrichContext()),
                Boolean.toString(base.centre())});
        configs.add(new String[] {CandidateSource.FUSION, Boolean.toString(base.enrichContext()),
                Boolean.toString(base.centre())});
        for (String[] c : configs) {
            boolean enrich = Boolean.parseBoolean(c[1]);
            boolean centre = Boolean.parseBoolean(c[2]);
            RetrieverSettings s = settings.withSource(c[0]).withSemantic(enrich, centre);
            EmbeddingCache cache = caches.get("text").computeIfAbsent(enrich, e -> new EmbeddingCache(raw.id()));
            Run run = produce(raw, data, sample, s, cache);
            String label = c[0].equals(CandidateSource.COLLABORATIVE) ? c[0]
                    : c[0] + (enrich ? " enriched" : " plain") + (centre ? " centred" : "");
            printQuality(label, run, data, pop);
        }

        throughput(raw, sample, settings);
        latency(configuredCache, data, sample, settings, raw);
    }

    /** One pass of the retrieval step over the sample. */
    private record Run(int contexts, double seconds, long encoded, List<Candidates> candidates,
            Map<String, List<String>> gold) {
    }

    private Run produce(TextEncoder raw, Data data, List<Dialogue> sample, RetrieverSettings s, EmbeddingCache cache) {
        CountingEncoder encoder = new CountingEncoder(raw);
        long t0 = System.nanoTime();
        RetrieverParts parts = RetrieverParts.of(encoder, cache, new ConcurrentHashMap<>(), s);
        ItemEmbedder.index(data.items(), parts);
        CentringSample centring = new CentringSample(s.collaborativeSplits());
        for (Dialogue d : data.dialogues()) {
            parts.coMentions().put(d.getDialogueId(), d);
            centring.offer(d.getDialogueId(), d);
        }
        parts.fixContextMean(centring);
        ContextRetriever retriever = new ContextRetriever(parts);
        List<Candidates> all = new ArrayList<>();
        Map<String, List<String>> gold = new HashMap<>();
        int contexts = 0;
        for (Dialogue d : sample) {
            ContextRetriever.Result r = retriever.retrieve(d);
            all.addAll(r.candidates());
            for (DialogueContext c : DialogueContexts.derive(d)) {
                gold.put(c.contextId(), c.goldItemIds());
                contexts++;
            }
        }
        return new Run(contexts, (System.nanoTime() - t0) / 1e9, encoder.encodedTexts(), all, gold);
    }

    private void printQuality(String label, Run run, Data data, Popularity pop) {
        int hit5 = 0;
        int hitK = 0;
        List<String> labels = new ArrayList<>();
        Set<String> cov5 = new HashSet<>();
        Set<String> covK = new HashSet<>();
        long[] buckets = new long[4];
        long candidates = 0;
        for (Candidates cs : run.candidates()) {
            List<String> gold = run.gold().get(cs.getContextId());
            boolean h5 = false;
            boolean hk = false;
            for (Candidate c : cs.getItems()) {
                if (gold.contains(c.getItemId())) {
                    hk = true;
                    h5 |= c.getRank() < LABELS;
                }
                if (c.getRank() < LABELS) {
                    labels.add(c.getItemId());
                    cov5.add(c.getItemId());
                }
                covK.add(c.getItemId());
                buckets[pop.bucket(c.getItemId())]++;
                candidates++;
            }
            hit5 += h5 ? 1 : 0;
            hitK += hk ? 1 : 0;
        }
        int n = Math.max(run.candidates().size(), 1);
        int catalogue = data.items().size();
        line("%-34s %6.1f%% %6.1f%% %7.1f%% %7.1f%% %7.1f%%   %.0f / %.0f / %.0f / %.0f %%%n", label,
                100.0 * hit5 / n, 100.0 * hitK / n, 100 * top20Share(labels), 100.0 * cov5.size() / catalogue,
                100.0 * covK.size() / catalogue, pct(buckets[0], candidates), pct(buckets[1], candidates),
                pct(buckets[2], candidates), pct(buckets[3], candidates));
    }

    /** Prints and flushes at once: a long benchmark should show each number as soon as it is known. */
    private void line(String format, Object... args) {
        out.printf(Locale.ROOT, format, args);
        out.flush();
    }

    private static double pct(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    private static List<String> goldLabels(List<Dialogue> sample) {
        List<String> out = new ArrayList<>();
        for (Dialogue d : sample) {
            if (d.getSplit().equals("train") || d.getSplit().equals("valid")) {
                DialogueContexts.derive(d).forEach(c -> out.addAll(c.goldItemIds()));
            }
        }
        return out;
    }

    /** Share of all labels taken by the 20 items labelled most often: how concentrated labels are. */
    static double top20Share(List<String> labels) {
        if (labels.isEmpty()) {
            return 0;
        }
        Map<String, Integer> counts = new HashMap<>();
        labels.forEach(l -> counts.merge(l, 1, Integer::sum));
        int[] sorted = counts.values().stream().mapToInt(Integer::intValue).sorted().toArray();
        long top = 0;
        for (int i = sorted.length - 1; i >= Math.max(0, sorted.length - 20); i--) {
            top += sorted[i];
        }
        return (double) top / labels.size();
    }

    /** Items by how often training dialogues mention them, cut into four popularity buckets. */
    record Popularity(Map<String, Integer> rankOf, int ranked) {

        static Popularity of(List<Dialogue> dialogues, Set<String> splits) {
            Map<String, Integer> counts = new HashMap<>();
            for (Dialogue d : dialogues) {
                if (splits.contains(d.getSplit())) {
                    Set<String> items = new HashSet<>();
                    d.getTurns().forEach(t -> items.addAll(t.getMentionedItemIds()));
                    items.forEach(i -> counts.merge(i, 1, Integer::sum));
                }
            }
            List<String> order = new ArrayList<>(counts.keySet());
            order.sort((a, b) -> counts.get(a).equals(counts.get(b)) ? a.compareTo(b)
                    : Integer.compare(counts.get(b), counts.get(a)));
            Map<String, Integer> rank = new HashMap<>();
            for (int i = 0; i < order.size(); i++) {
                rank.put(order.get(i), i);
            }
            return new Popularity(rank, order.size());
        }

        int bucket(String itemId) {
            Integer r = rankOf.get(itemId);
            if (r == null) {
                return 3;
            }
            double q = (double) r / Math.max(ranked, 1);
            return q < 0.01 ? 0 : q < 0.10 ? 1 : q < 0.50 ? 2 : 3;
        }
    }

    /** Throughput of every bundled encoder on the same dialogue texts, so they can be compared in one run. */
    private void compareBundledEncoders(Data data, Path models) {
        for (OnnxModelSpec spec : OnnxModelSpec.BUNDLED) {
            try (OnnxEncoder e = new OnnxEncoder(spec, models, config.getInt(TextEncoders.BATCH_SIZE_KEY))) {
                line("%-18s ", spec.name());
                throughput(e, data.dialogues(), base);
            }
        }
    }

    private void throughput(TextEncoder raw, List<Dialogue> sample, RetrieverSettings s) {
        List<String> texts = new ArrayList<>();
        for (Dialogue d : sample) {
            for (DialogueContext c : DialogueContexts.derive(d)) {
                if (texts.size() < 256) {
                    texts.add(RetrievalText.dialogue(c, s.contextMaxChars()));
                }
            }
        }
        if (texts.isEmpty()) {
            return;
        }
        raw.encodeQueries(texts.subList(0, Math.min(16, texts.size())));
        double[] rates = new double[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            long t0 = System.nanoTime();
            raw.encodeQueries(texts);
            rates[i] = texts.size() / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(rates);
        double chars = texts.stream().mapToInt(String::length).average().orElse(0);
        line("encoder throughput: median %.1f texts/s over %d dialogue texts (mean %.0f chars; runs %.1f/%.1f/%.1f)%n",
                rates[REPEATS / 2], texts.size(), chars, rates[0], rates[1], rates[2]);
    }

    private void latency(EmbeddingCache cache, Data data, List<Dialogue> sample, RetrieverSettings s, TextEncoder raw) {
        RetrieverParts parts = RetrieverParts.of(raw, cache, new ConcurrentHashMap<>(), s);
        ItemEmbedder.index(data.items(), parts);
        List<float[]> queries = new ArrayList<>();
        List<Set<String>> excluded = new ArrayList<>();
        for (Dialogue d : sample) {
            for (DialogueContext c : DialogueContexts.derive(d)) {
                String text = s.encoderText().of(c, parts.items());
                float[] v = cache.vector(org.crsaug.schema.EmbeddingKind.CONTEXT, c.contextId(),
                        org.crsaug.data.item.ItemText.contentHash(text));
                if (v != null) {
                    queries.add(v);
                    excluded.add(c.mentionedBefore());
                }
            }
        }
        if (queries.isEmpty()) {
            return;
        }
        float[][] q = queries.toArray(new float[0][]);
        parts.index().searchBatch(q, s.topK(), excluded);
        double[] batched = new double[REPEATS];
        double[] single = new double[REPEATS];
        int singles = Math.min(q.length, 500);
        for (int i = 0; i < REPEATS; i++) {
            long t0 = System.nanoTime();
            parts.index().searchBatch(q, s.topK(), excluded);
            batched[i] = (System.nanoTime() - t0) / 1e6 / q.length;
            t0 = System.nanoTime();
            for (int j = 0; j < singles; j++) {
                parts.index().search(q[j], s.topK(), excluded.get(j));
            }
            single[i] = (System.nanoTime() - t0) / 1e6 / singles;
        }
        Arrays.sort(batched);
        Arrays.sort(single);
        line("top-%d search over %d items: median %.3f ms/query batched (%d queries), %.3f ms/query one at a time%n",
                s.topK(), parts.index().size(), batched[REPEATS / 2], q.length, single[REPEATS / 2]);
    }
}
