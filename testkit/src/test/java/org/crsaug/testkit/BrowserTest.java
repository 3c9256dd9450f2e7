package org.crsaug.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

class BrowserTest {

    @RegisterExtension
    final Browser browser = new Browser();

    @Test
    void waitsForWhatAPageScriptAddsLaterAndScreenshotsThePage() throws Exception {
        // the delay is generous so that even a busy machine looks before the element exists
        WebDriver page = browser.open("data:text/html,<button id=go onclick=\"setTimeout(() =>"
                + " document.body.insertAdjacentHTML('beforeend', '<p id=late>done</p>'), 3000)\">go</button>");
        page.findElement(By.id("go")).click();
        assertThat(page.findElements(By.id("late"))).isEmpty();

        assertThat(browser.until(ExpectedConditions.visibilityOfElementLocated(By.id("late"))).getText())
                .isEqualTo("done");
        Path file = browser.screenshot("late");
        assertThat(file.getParent().getFileName().toString())
                .isEqualTo("BrowserTest.waitsForWhatAPageScriptAddsLaterAndScreenshotsThePage");
        BufferedImage shot = ImageIO.read(file.toFile());
        assertThat(shot).as("a PNG").isNotNull();
        assertThat(shot.getWidth()).isEqualTo(1280);
    }

    @Test
    void aMissingBrowserFailsNamingThePackagesToInstall() {
        Browser absent = new Browser(Path.of("/nonexistent/chromium"), Path.of("/usr/bin/chromedriver"));
        assertThatThrownBy(() -> absent.open("about:blank")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/nonexistent/chromium")
                .hasMessageContaining("apt-get install chromium chromium-driver");
    }
}
