package org.crsaug.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.crsaug.platform.config.CrsConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** bge-small-en-v1.5 and e5-small-v2, selected by name as a user would, on the same small retrieval task. */
class BundledEncodersTest {

    private static final List<String> PLOTS = List.of(
            "A family moves into an old house where a vengeful ghost haunts them at night and a girl is possessed.",
            "Two rival wedding planners fall in love in New York after funny misunderstandings.",
            "The crew of a starship travels through a wormhole to battle alien fleets among the stars.",
            "A lone gunslinger rides into a dusty frontier town to face an outlaw gang.");
    private static final List<String> REQUESTS = List.of(
            "Seeker: I want something really scary with ghosts and demons",
            "Seeker: I'm in the mood for a sweet romantic comedy",
            "Seeker: anything with spaceships and aliens please",
            "Seeker: I love cowboys and shootouts in the old west");

    @TempDir
    static Path cache;

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bge-small-en-v1.5", "e5-small-v2"})
    void eachRequestFindsItsThemedPlot(String name) {
        CrsConfig config = CrsConfig.defaults().with(TextEncoders.ENCODER_KEY, name).with(TextEncoders.BATCH_SIZE_KEY, "3");
        try (TextEncoder encoder = TextEncoders.create(config, cache)) {
            assertThat(encoder).isInstanceOf(OnnxEncoder.class);
            assertThat(((OnnxEncoder) encoder).spec().name()).isEqualTo(name);
            assertThat(encoder.id()).startsWith(name + "-q@512#").isNotEqualTo(MiniLmEncoder.NAME);
            float[][] docs = encoder.encode(PLOTS);
            float[][] queries = encoder.encodeQueries(REQUESTS);
            assertThat(docs).hasNumberOfRows(PLOTS.size());
            for (float[] row : docs) {
                assertThat(row).hasSize(encoder.dimension());
                assertThat(dot(row, row)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
            }
            for (int q = 0; q < queries.length; q++) {
                int best = 0;
                for (int d = 1; d < docs.length; d++) {
                    if (dot(queries[q], docs[d]) > dot(queries[q], docs[best])) {
                        best = d;
                    }
                }
                assertThat(best).as("%s: nearest plot to '%s'", name, REQUESTS.get(q)).isEqualTo(q);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bge-small-en-v1.5", "e5-small-v2"})
    void queriesAreMarkedDifferentlyFromDocumentsAndOneTextHasOneVector(String name) {
        CrsConfig config = CrsConfig.defaults().with(TextEncoders.ENCODER_KEY, name);
        try (TextEncoder encoder = TextEncoders.create(config, cache)) {
            String text = "a quiet drama about two brothers running a farm";
            float[] asQuery = encoder.encodeQueries(List.of(text))[0];
            float[] asDocument = encoder.encode(List.of(text))[0];
            // the model's query prefix must reach the graph: the same words as a query give another vector
            assertThat(dot(asQuery, asDocument)).isLessThan(0.999);
            // vectors are cached per text, so batch neighbours must not change them (one sequence per call)
            float[] batched = encoder.encode(List.of("short", text, PLOTS.get(0)))[1];
            assertThat(dot(batched, asDocument)).isGreaterThan(0.99999);
        }
    }

    @org.junit.jupiter.api.Test
    void graphCallsSideBySideGiveTheSameBitsAsOneAtATime() {
        List<String> texts = new java.util.ArrayList<>(PLOTS);
        texts.addAll(REQUESTS);
        try (OnnxEncoder serial = new OnnxEncoder(OnnxModelSpec.ALL_MINILM_L6_V2, cache, 4, 1);
                OnnxEncoder parallel = new OnnxEncoder(OnnxModelSpec.ALL_MINILM_L6_V2, cache, 4, 3)) {
            float[][] one = serial.encode(texts);
            float[][] many = parallel.encode(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(many[i]).as(texts.get(i)).containsExactly(one[i]);
            }
        }
    }

    /**
     * Reference values from DJL's ONNX Runtime predictor, which encoded every vector cached before the encoder
     * called ONNX Runtime directly. The encoder's id names the model file but not the code that runs it, so the
     * same text must still give the same vector, or cached and new vectors would mix under one id. Compared with a tolerance, not bit for bit:
     * ONNX Runtime picks its kernels by CPU, and the last bits may differ on another processor (on this machine
     * kind the bits were identical over 700,000 floats of 300 texts and all three models, docs/benchmarks.md).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
            "all-minilm-l6-v2, -0.13587259, 0.037763916, -0.06374815, 0.04415963",
            "bge-small-en-v1.5, -0.09868474, 0.033421043, -0.06951133, 0.00822591",
            "e5-small-v2, -0.072688684, 0.03447111, 0.021464532, 0.035834324"})
    void aQueryGivesTheVectorItAlwaysGave(String name, float first, float second, float third, float last) {
        OnnxModelSpec spec = OnnxModelSpec.BUNDLED.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        try (OnnxEncoder encoder = new OnnxEncoder(spec, cache, 32, 2)) {
            float[] v = encoder.encodeQueries(List.of("Seeker: I loved The Matrix, anything like it with a twist?", "hi"))[0];
            org.assertj.core.data.Offset<Float> close = org.assertj.core.data.Offset.offset(1e-4f);
            assertThat(v[0]).isCloseTo(first, close);
            assertThat(v[1]).isCloseTo(second, close);
            assertThat(v[2]).isCloseTo(third, close);
            assertThat(v[383]).isCloseTo(last, close);
        }
    }
}
