package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.config.SettingRegistry;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile, docker-compose.yml and .dockerignore hold settings and build steps no other test runs
 * (there is no Docker engine here): their CRS_* variables must be settings the configuration knows, read
 * through its own mapping (the image once kept its state in the wrong place because CRS_STATE__DIR is the
 * key state_dir), and the images must be pinned and the build complete.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern CRS_NAME = Pattern.compile("\\bCRS_[A-Z0-9_]+");
    // CRS_X=value (Dockerfile ENV) or CRS_X: value (compose environment), value possibly ${VAR:-default}
    private static final Pattern CRS_ASSIGNMENT = Pattern.compile(
            "\\b(CRS_[A-Z0-9_]+)(?:=|: )\"?(?:\\$\\{[A-Z0-9_]+:-([^}]*)}|([^\\s\"\\\\]+))");

    private static String read(String file) throws IOException {
        return Files.readString(ROOT.resolve(file));
    }

    @Test
    void everyCrsVariableOfTheContainerFilesIsAKnownSettingWithAValidValue() throws IOException {
        for (String file : List.of("Dockerfile", "docker-compose.yml")) {
            String text = read(file);
            Matcher names = CRS_NAME.matcher(text);
            int seen = 0;
            while (names.find()) {
                String name = names.group();
                seen++;
                assertThat(CrsConfig.isSetting(name)).as("%s in %s is a CRS_ variable but no setting", name, file)
                        .isTrue();
                assertThat(SettingRegistry.builtIn().unknownKey(CrsConfig.envToKey(name), name + " in " + file))
                        .as(name + " in " + file).isEmpty();
            }
            assertThat(seen).as("CRS_ variables in " + file).isPositive();
            Map<String, String> env = new LinkedHashMap<>();
            Matcher assignments = CRS_ASSIGNMENT.matcher(text);
            while (assignments.find()) {
                env.put(assignments.group(1), assignments.group(2) != null ? assignments.group(2) : assignments.group(3));
            }
            assertThat(env).as("CRS_ assignments in " + file).isNotEmpty();
            // the same path as start-up: unknown keys and bad values throw
            CrsConfig.load(null, env, Map.of());
        }
        assertThat(CrsConfig.load(null, Map.of("CRS_STATE_DIR", "/var/lib/crs"), Map.of()).get("state.dir"))
                .isEqualTo("/var/lib/crs");
        assertThat(read("Dockerfile")).contains("CRS_STATE_DIR=/var/lib/crs");
    }

    @Test
    void everyImageIsPinnedToAVersion() throws IOException {
        Matcher from = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(read("Dockerfile"));
        Matcher image = Pattern.compile("(?m)^\\s+image:\\s*(\\S+)").matcher(read("docker-compose.yml"));
        int images = 0;
        for (Matcher m : List.of(from, image)) {
            while (m.find()) {
                images++;
                String ref = m.group(1);
                assertThat(ref).as(ref).matches(".+:v?[0-9][^:/]*");
            }
        }
        assertThat(images).isGreaterThanOrEqualTo(6);
    }

    @Test
    void theImageBuildsEveryModuleRunsAsAnotherUserAndChecksReadiness() throws IOException {
        String dockerfile = read("Dockerfile");
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(read("pom.xml"));
        int modules = 0;
        while (module.find()) {
            modules++;
            // the dependency layer runs the reactor, which needs every module's pom
            assertThat(dockerfile).contains("COPY " + module.group(1) + "/pom.xml " + module.group(1) + "/");
        }
        assertThat(modules).isGreaterThanOrEqualTo(12);
        assertThat(dockerfile.indexOf("COPY . .")).as("sources come after the dependency layer")
                .isGreaterThan(dockerfile.indexOf("RUN mvn"));
        Matcher user = Pattern.compile("(?m)^USER\\s+(\\S+)").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(user.group(1)).isNotIn("root", "0");
        assertThat(dockerfile).containsPattern("HEALTHCHECK[^\\n]*(\\\\\\n[^\\n]*)*/health/ready")
                .contains("${CRS_METRICS_PORT}");
    }

    @Test
    void theBuildContextLeavesOutLocalStateButKeepsTheModules() throws IOException {
        List<String> ignored = read(".dockerignore").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignored).contains(".git", "**/target", ".crs", "**/*.log", "reports");
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(read("pom.xml"));
        while (module.find()) {
            assertThat(ignored).doesNotContain(module.group(1), module.group(1) + "/", "/" + module.group(1));
        }
    }
}
