package org.crsaug.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset dispatch and the data-directory lookup that precedes it. */
class DatasetsTest {

    @TempDir
    Path tmp;

    @Test
    void dispatchesByNameIgnoringCase() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("inspired"));
        Files.writeString(dir.resolve("id2info.json"), "{\"3\": {\"name\": \"Onward (2020)\"}}");
        Files.writeString(dir.resolve("test.jsonl"),
                "[{\"text\": \"Onward?\", \"role\": \"RECOMMENDER\", \"movie\": [\"Onward (2020)\"]}]\n");
        CollectingSink sink = new CollectingSink();
        Datasets.read(" INSPIRED ", dir, sink);
        assertThat(sink.items).extracting(i -> i.getItemId()).containsExactly("inspired:3");
        assertThat(sink.dialogues).hasSize(1);
        assertThat(sink.dialogues.get(0).getTurns().get(0).getMentionedItemIds()).containsExactly("inspired:3");
    }

    @Test
    void unknownDatasetNamesBothKnownOnes() {
        assertThatThrownBy(() -> Datasets.read("movielens", tmp, new CollectingSink()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("movielens").hasMessageContaining("redial").hasMessageContaining("inspired");
        assertThatThrownBy(() -> DataDirectory.datasetDir(CrsConfig.defaults().with("data.dir", tmp.toString()), "imdb"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("redial, inspired");
    }

    @Test
    void configuredDirectoryWins() throws IOException {
        Files.createDirectory(tmp.resolve("redial"));
        CrsConfig config = CrsConfig.defaults().with("data.dir", tmp.toString());
        assertThat(DataDirectory.resolve(config, tmp.resolve("elsewhere"))).isEqualTo(tmp);
        assertThat(DataDirectory.datasetDir(config, "redial")).isEqualTo(tmp.resolve("redial"));
        assertThatThrownBy(() -> DataDirectory.datasetDir(config, "inspired"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(tmp.resolve("inspired").toString())
                .hasMessageContaining("https://github.com/sweetpeach/Inspired");
    }

    @Test
    void configuredDirectoryMustExist() {
        CrsConfig config = CrsConfig.defaults().with("data.dir", tmp.resolve("missing").toString());
        assertThatThrownBy(() -> DataDirectory.resolve(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("data.dir=" + tmp.resolve("missing"))
                .hasMessageContaining("CRS_DATA_DIR");
    }

    @Test
    void fallsBackToSharedDataNextToTheWorkingDirectory() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("a/b"));
        assertThatThrownBy(() -> DataDirectory.resolve(CrsConfig.defaults(), work))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("data.dir is not set")
                .hasMessageContaining("--set data.dir=")
                .hasMessageContaining("CRS_DATA_DIR")
                .hasMessageContaining("https://redialdata.github.io/website/")
                .hasMessageContaining("redial_dataset.zip")
                .hasMessageContaining("https://github.com/sweetpeach/Inspired")
                .hasMessageContaining("README");

        Path twoUp = Files.createDirectories(tmp.resolve("shared/data"));
        assertThat(DataDirectory.resolve(CrsConfig.defaults(), work)).isEqualTo(twoUp);
        Path oneUp = Files.createDirectories(tmp.resolve("a/shared/data"));
        assertThat(DataDirectory.resolve(CrsConfig.defaults(), work)).isEqualTo(oneUp);
    }

    @Test
    @Tag("mirror")
    void findsTheMirrorFromTheModuleDirectory() {
        MirrorData.dir("redial");
        Path found;
        try {
            found = DataDirectory.resolve(CrsConfig.defaults());
        } catch (ConfigException e) {
            throw new AssertionError("the mirror is at " + MirrorData.dir("redial").getParent()
                    + " but DataDirectory does not find it from " + Path.of("").toAbsolutePath(), e);
        }
        assertThat(found.resolve("redial/movies_with_mentions.csv")).isRegularFile();
    }
}
