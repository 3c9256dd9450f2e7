package org.crsaug.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium, for page tests. Declare it as a {@code @RegisterExtension}
 * field: the browser starts on the first {@link #open} and quits after each test, leaving the chromedriver log,
 * its profile and any screenshots ({@code failure.png} when a test fails) in {@code target/browser/<test>/}.
 *
 * <p>The browser and driver are the distribution's packages ({@code /usr/bin/chromium} and
 * {@code /usr/bin/chromedriver}; {@code -Dcrs.test.chromium} and {@code -Dwebdriver.chrome.driver} point elsewhere),
 * never ones Selenium Manager would download: builds run offline, and a chromedriver must match its browser's version
 * exactly. Missing packages fail the test rather than skip it, so CI cannot pass without ever having looked at the
 * page.
 */
public final class Browser implements BeforeEachCallback, AfterEachCallback {

    /** Long enough for a first request that loads a model on a busy two-core CI machine. */
    public static final Duration PATIENCE = Duration.ofSeconds(60);

    private static final String INSTALL = "apt-get install chromium chromium-driver (.ci/run installs them)";

    private final Path chromium;
    private final Path chromedriver;
    private Path dir = TestDirs.target().resolve("browser").resolve("unnamed");
    private ChromeDriver driver;

    public Browser() {
        this(Path.of(System.getProperty("crs.test.chromium", "/usr/bin/chromium")),
                Path.of(System.getProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, "/usr/bin/chromedriver")));
    }

    Browser(Path chromium, Path chromedriver) {
        this.chromium = chromium;
        this.chromedriver = chromedriver;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        String test = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        dir = TestDirs.target().resolve("browser").resolve(test);
    }

    /** Loads {@code url}, starting the browser first if this test has not yet. */
    public WebDriver open(String url) {
        driver().get(url);
        return driver;
    }

    public ChromeDriver driver() {
        if (driver == null) {
            driver = start();
        }
        return driver;
    }

    /** Waits up to {@link #PATIENCE} for the condition and returns what it found. */
    public <T> T until(ExpectedCondition<T> condition) {
        return new WebDriverWait(driver(), PATIENCE).until(condition);
    }

    /** Saves what the page shows now as {@code <name>.png} in this test's directory and returns the file. */
    public Path screenshot(String name) {
        Path file = dir.resolve(name + ".png");
        try {
            Files.write(file, driver().getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private ChromeDriver start() {
        requireExecutable(chromium, "Chromium");
        requireExecutable(chromedriver, "chromedriver");
        Path profile;
        try {
            Files.createDirectories(dir);
            // fresh each time: a profile left locked by a killed browser would stop the next one starting
            profile = Files.createTempDirectory(dir, "profile-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions()
                .setBinary(chromium.toFile())
                // tests run as root in containers, where the sandbox cannot start and /dev/shm is tiny
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--window-size=1280,1024", "--user-data-dir=" + profile);
        return new ChromeDriver(service, options);
    }

    private static void requireExecutable(Path path, String what) {
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(what + " not found at " + path + "; install it with: " + INSTALL);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (driver == null) {
            return;
        }
        try {
            context.getExecutionException().ifPresent(failure -> {
                try {
                    screenshot("failure");
                } catch (RuntimeException e) {
                    failure.addSuppressed(e);
                }
            });
        } finally {
            quit();
        }
    }

    private void quit() {
        try {
            driver.quit();
        } catch (WebDriverException ignored) {
            // a browser that already died has nothing left to close
        } finally {
            driver = null;
        }
    }
}
