package org.crsaug.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The settings table of docs/configuration.md is made from {@link SettingRegistry}, so it cannot drift from
 * the defaults file. After changing crs-defaults.properties, regenerate it with
 * {@code mvn -pl platform -am test -Dtest=ConfigurationDocTest -Dcrs.docs.update=true}.
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final String BEGIN = "<!-- settings table: generated from crs-defaults.properties by ConfigurationDocTest -->";
    private static final String END = "<!-- end of settings table -->";

    static String table(SettingRegistry registry) {
        StringBuilder sb = new StringBuilder("| key | default | value | environment variable | meaning |\n|---|---|---|---|---|\n");
        for (SettingRegistry.Setting s : registry.all()) {
            String def = s.family() ? "*(unset)*" : s.defaultValue().isEmpty() ? "*(empty)*" : "`" + s.defaultValue() + "`";
            String env = CrsConfig.keyToEnv(s.key()) + (s.family() ? "*" : "");
            sb.append("| `").append(s.displayKey()).append("` | ").append(def).append(" | ")
                    .append(cell(s.type().describe().replaceFirst("^an? ", ""))).append(" | `").append(env)
                    .append("` | ").append(cell(s.meaning())).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    @Test
    void theDocumentedTableIsTheRegistry() throws Exception {
        String doc = Files.readString(DOC);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertThat(begin).as(DOC + " lacks the marker " + BEGIN).isNotNegative();
        assertThat(end).isGreaterThan(begin);
        String expected = BEGIN + "\n" + table(SettingRegistry.builtIn());
        String actual = doc.substring(begin, end);
        if (Boolean.getBoolean("crs.docs.update") && !actual.equals(expected)) {
            Files.writeString(DOC, doc.substring(0, begin) + expected + doc.substring(end));
            return;
        }
        assertThat(actual).as("regenerate with -Dcrs.docs.update=true").isEqualTo(expected);
    }
}
