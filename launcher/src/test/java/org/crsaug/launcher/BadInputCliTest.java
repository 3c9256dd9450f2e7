package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.crsaug.testkit.ConsoleCapture;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad command lines and settings, as a person types them: each is refused with its exit code and a message
 * naming what to fix, before anything starts (no broker, no state directory: so no broker is needed here).
 * The rows of docs/bad-inputs.md marked {@code BadInputCliTest} are these.
 */
class BadInputCliTest {

    /** An environment variable no test machine sets, for the settings that name where an API key is. */
    private static final String UNSET = "CRS_TEST_VARIABLE_THAT_IS_NOT_SET";
    private static final int USAGE = 2;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    static Stream<Arguments> refusals() {
        return Stream.of(
                // each value's type and range, from any layer
                row("run --set retriever.top.k=abc", USAGE,
                        "retriever.top.k must be an integer of at least 1, got 'abc' (from --set)"),
                row("run --set retriever.top.k=0", USAGE, "retriever.top.k must be an integer of at least 1, got '0'"),
                row("run --set scorer.threshold=9", USAGE, "scorer.threshold must be a number between 0 and 4, got '9'"),
                row("run --set trainer.alpha=-1", USAGE, "trainer.alpha must be a number of at least 0, got '-1'"),
                row("run --set trainer.learning.rate=0", USAGE, "trainer.learning.rate must be a number greater than 0"),
                row("run --set scorer.threshold=NaN", USAGE, "scorer.threshold must be a number between 0 and 4"),
                row("run --set embedded.kafka.port=99999", USAGE,
                        "embedded.kafka.port must be an integer between 0 and 65535, got '99999'"),
                row("run --set topic.partitions=0", USAGE, "topic.partitions must be an integer of at least 1"),
                row("run --set schema.registry.url=notaurl", USAGE,
                        "schema.registry.url must be an http:// or https:// URL, or empty, got 'notaurl'"),
                row("run --set retriever.centre=maybe", USAGE, "retriever.centre must be true or false, got 'maybe'"),
                row("run --set retriever.encoder=word2vec", USAGE,
                        "retriever.encoder must be one of all-minilm-l6-v2, bge-small-en-v1.5"),
                row("run --set trainer.modes=baseline,best", USAGE,
                        "trainer.modes must be a comma-separated list of baseline, two-stage, aug-only, mix"),
                row("run --set ingest.watch.poll.ms=5", USAGE, "ingest.watch.poll.ms must be an integer of at least 10"),
                row("run --set trainer.seed=", USAGE, "trainer.seed must not be empty (from --set)"),
                row("run --config {tmp}/bad.properties", USAGE,
                        "retriever.top.k must be an integer of at least 1, got 'abc' (from config file"),
                row("run --dataset movies", USAGE, "trainer.dataset must be one of inspired, redial, or empty, got"
                        + " 'movies' (from command options)"),
                // unknown keys, flags and files of settings
                row("run --set retriever.tpo.k=5", USAGE,
                        "unknown setting 'retriever.tpo.k' (from --set); did you mean 'retriever.top.k'?"),
                row("run --set topic.name.dialouges=x", USAGE, "unknown topic 'dialouges' in 'topic.name.dialouges'",
                        "did you mean 'topic.name.dialogues'?"),
                row("run --set retriever.top.k", USAGE, "should be in KEY=VALUE format but was retriever.top.k"),
                row("run --config {tmp}/nowhere.properties", USAGE,
                        "does not exist; pass an existing file with --config or leave the flag out"),
                row("run --timeout-minutes soon", USAGE, "Invalid value for option '--timeout-minutes': 'soon' is not"
                        + " an int"),
                // what only a part knows of its settings, checked before the dataset is ingested
                row("run --set scorer.judge=llm --set scorer.llm.api.key.env=" + UNSET, USAGE,
                        "scorer.judge=llm needs an API key in the environment variable named by scorer.llm.api.key.env"
                                + " (now '" + UNSET + "')"),
                row("run --set scorer.judge=llm --set scorer.llm.api.key.env=PATH --set scorer.llm.base.url=", USAGE,
                        "scorer.llm.base.url and scorer.llm.model must be set for scorer.judge=llm"),
                row("run --set scorer.judge=llm --set scorer.llm.api.key.env=PATH --set scorer.llm.prompt=nope", USAGE,
                        "scorer.llm.prompt=nope: No prompt named 'nope'"),
                // S@k needs a judge of relevance; the zero-shot baseline needs the chat model's key
                row("evaluate --file nowhere.jsonl --semantic-score retrieval-only", USAGE,
                        "--semantic-score needs a judge of relevance: llm or student, not 'retrieval-only'"),
                row("evaluate --file nowhere.jsonl --zero-shot --set scorer.llm.api.key.env=" + UNSET, USAGE,
                        "crs evaluate --zero-shot needs an API key in the environment variable named by"
                                + " scorer.llm.api.key.env"),
                row("experiment --semantic-score retrieval-only", USAGE,
                        "--semantic-score needs a judge of relevance: llm or student"),
                row("run --set scorer.judge=student --set scorer.student.teacher=llm --set scorer.llm.api.key.env="
                        + UNSET, USAGE, "scorer.student.teacher=llm needs an API key"),
                row("run --set retriever.encoder=openai --set retriever.encoder.openai.api.key.env=" + UNSET, USAGE,
                        "retriever.encoder=openai needs an API key in the environment variable named by"
                                + " retriever.encoder.openai.api.key.env"),
                row("up --set serve.reply=llm --set scorer.llm.api.key.env=" + UNSET, USAGE,
                        "serve.reply=llm needs an API key"),
                row("service scorer --set scorer.judge=llm --set scorer.llm.api.key.env=" + UNSET, USAGE,
                        "scorer.judge=llm needs an API key"),
                row("serve --set serve.reply=llm --set serve.reply.prompt=nope"
                        + " --set scorer.llm.api.key.env=PATH", USAGE, "serve.reply.prompt=nope: No prompt named 'nope'"),
                row("serve --set serve.top.k=0", USAGE, "serve.top.k must be an integer between 1 and 100, got '0'"),
                // flags of one command
                row("experiment --seeds 0", USAGE, "--seeds must be at least 1, got 0"),
                row("experiment --sizes 1.5", USAGE, "--sizes are shares in (0, 1], got 1.5"),
                row("experiment --modes two-stage", USAGE, "--modes must include baseline"),
                row("experiment --modes baseline,best", USAGE, "--modes: ", "best"),
                row("experiment --alphas x", USAGE, "Expected comma-separated numbers, got [x]"),
                row("experiment --label-variant foo", USAGE, "--label-variant expects NAME=KEY=VALUE[;KEY=VALUE], got"
                        + " 'foo'"),
                row("experiment --label-variant strict=retriever.top.k=abc", USAGE,
                        "retriever.top.k must be an integer of at least 1, got 'abc'"),
                row("experiment --label-variant k=trainer.pretrain.extra.dataset=imdb", USAGE,
                        "trainer.pretrain.extra.dataset must be one of redial, or empty, got 'imdb'"),
                row("experiment --dataset redial --label-variant k=trainer.pretrain.extra.dataset=redial", USAGE,
                        "trainer.pretrain.extra.dataset=redial names the dataset being trained itself"),
                row("experiment --dataset inspired --data-dir {tmp}/only-inspired"
                        + " --label-variant k=trainer.pretrain.extra.dataset=redial", USAGE,
                        "trainer.pretrain.extra.dataset=redial pre-trains on redial's dialogues, which are not there",
                        "must contain redial/", "Point data.dir at"),
                row("run --dataset inspired --data-dir {tmp}/only-inspired --set trainer.pretrain.extra.dataset=redial",
                        USAGE, "trainer.pretrain.extra.dataset=redial pre-trains on redial's dialogues", "data.dir"),
                row("service ranker", USAGE, "expected one of [retriever, scorer, trainer, evaluator]"),
                row("status --watch --interval 0", USAGE, "--interval must be at least 1 second, got 0"),
                row("dlq resubmit", USAGE, "resubmit needs --key KEY for one letter or --all"),
                row("dlq", USAGE, "Missing required parameter: '<action>'"),
                row("replay", USAGE, "Missing required option: '--checkpoint=ID'"),
                row("ingest --file x.json", USAGE, "Missing required option: '--dataset=<dataset>'"),
                row("ingest --dataset movies --file {tmp}/bad.properties", USAGE,
                        "Unknown dataset 'movies'; expected one of redial, inspired"),
                row("ingest --dataset inspired --file a.json --watch {tmp}", USAGE, "mutually exclusive"),
                row("ingest --dataset inspired --replace", USAGE, "--replace goes with --file"),
                row("ingest --dataset inspired --data-dir {tmp}/nowhere", USAGE,
                        "data.dir=", "is not an existing directory"),
                row("export labels --dataset movies --format jsonl --out {tmp}/out", USAGE,
                        "unknown dataset 'movies'; --dataset takes one of [redial, inspired]"),
                row("export labels --dataset inspired --format csv --out {tmp}/out", USAGE,
                        "Invalid value for option '--format'", "jsonl, fnscrs, redial, inspired"),
                row("export labels --dataset inspired --format redial --out {tmp}/out", USAGE,
                        "--format redial writes redial lines, but --dataset is inspired; use --format inspired"),
                row("export labels --dataset inspired --format jsonl --out {tmp}", USAGE,
                        "is not empty; choose an empty or new one, or pass --force"),
                row("export labels --dataset inspired --format jsonl --out {tmp}/bad.properties/out", USAGE,
                        "cannot create --out directory"),
                row("export labels --dataset inspired --out {tmp}/out", USAGE,
                        "Missing required option: '--format=FORMAT'"),
                row("export judgements --out {tmp}/judgements.txt", USAGE, "must end in .csv or .jsonl"),
                row("export judgements --out {tmp}/nowhere/judgements.csv", USAGE,
                        "its directory must exist and be writable"),
                row("simulate --dataset inspired --turns 0", USAGE,
                        "simulator.turns must be an integer between 1 and 20, got '0'"),
                row("simulate --dataset inspired --simulator chatty", USAGE,
                        "simulator.kind must be one of attributes, llm, got 'chatty'"),
                row("simulate --dataset inspired --simulator llm --set scorer.llm.api.key.env=" + UNSET, USAGE,
                        "simulator.kind=llm needs an API key in the environment variable named by scorer.llm.api.key.env"),
                row("simulate --dataset movies", USAGE, "Unknown dataset 'movies'; expected one of redial, inspired"));
    }

    private static Arguments row(String commandLine, int rc, String... expected) {
        return Arguments.of(commandLine, rc, List.of(expected));
    }

    @ParameterizedTest(name = "crs {0}")
    @MethodSource("refusals")
    void isRefusedWithItsFixBeforeAnythingStarts(String commandLine, int rc, List<String> expected,
            @TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("bad.properties"), "retriever.top.k=abc\n");
        // a data directory with one of the two datasets
        Files.createDirectories(tmp.resolve("only-inspired").resolve("inspired"));
        Path state = tmp.resolve("state");
        List<String> args = new ArrayList<>(List.of(commandLine.replace("{tmp}", tmp.toString()).split(" ")));
        args.addAll(List.of("--state-dir", state.toString()));

        assertThat(Crs.execute(args.toArray(String[]::new))).as(console.stderr()).isEqualTo(rc);
        assertThat(console.stderr()).contains(expected).doesNotContain("Exception", "\tat ");
        assertThat(console.stdout()).as("nothing printed as if it had worked").doesNotContain("published", "done");
        assertThat(state).as("refused before a broker or a state directory").doesNotExist();
    }
}
