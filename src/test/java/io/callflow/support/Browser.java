package io.callflow.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium for the ui/ tests, driven through Debian's {@code chromedriver}: register it with
 * {@code @RegisterExtension static final Browser BROWSER = new Browser();}. Both binaries are given to Selenium
 * explicitly, so Selenium Manager never runs and nothing is downloaded. Without them a test class is skipped on a
 * developer's machine and fails under CI ({@code CI=true}), where .ci/run installs the packages. A failed test leaves
 * a screenshot under {@code target/ui-screenshots/}.
 */
public final class Browser implements BeforeAllCallback, AfterAllCallback, AfterTestExecutionCallback {

    /** Where the tests write screenshots: each page on success (for the docs) and the page of each failure. */
    public static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private ChromeDriverService service;
    private ChromeDriver driver;

    @Override
    public void beforeAll(ExtensionContext context) {
        boolean present = Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER));
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(CHROMIUM + " or " + CHROMEDRIVER + " is missing; .ci/run installs the Debian packages chromium and"
                    + " chromium-driver");
        }
        assumeTrue(present, "Chromium is not installed (apt-get install chromium chromium-driver)");
        // Both paths explicit: with a driver executable and a browser binary given, Selenium Manager is not consulted.
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER);
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new",
                // Tests run as root in CI, where Chromium's sandbox cannot start; the pages are the project's own.
                "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1366,900",
                "--lang=en-GB", "--no-first-run", "--disable-extensions", "--disable-background-networking");
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (driver != null && context.getExecutionException().isPresent()) {
            screenshot("FAILED-" + context.getRequiredTestClass().getSimpleName() + "-"
                    + context.getRequiredTestMethod().getName());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /**
     * Waits up to 15 s (the machine may be busy) for a condition on the page; an element replaced while it was being
     * read (the page re-rendered) is read again.
     */
    public <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    /** Forgets the signed-in user (the UI keeps it in sessionStorage) and opens {@code url}. */
    public void openFresh(String url) {
        driver.get(url);
        driver.executeScript("window.sessionStorage.clear()");
        driver.get(url);
    }

    /** Saves the page as {@code target/ui-screenshots/<name>.png}. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
