package io.callflow.ui;

import io.callflow.support.Browser;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/** The agent desktop: the agent sees its state and pauses with a reason or resumes. */
final class AgentDesktopPage {

    private final Browser browser;

    AgentDesktopPage(Browser browser) {
        this.browser = browser;
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("agent-state")));
    }

    /** The state as the badge reads, e.g. "AVAILABLE" or "PAUSED (Lunch)". */
    String state() {
        return browser.driver().findElement(By.id("agent-state")).getText();
    }

    String stateColourClass() {
        return browser.driver().findElement(By.cssSelector("#agent-state .state")).getAttribute("class");
    }

    void pause(String reason) {
        new Select(browser.driver().findElement(By.id("pause-reason"))).selectByVisibleText(reason);
        browser.driver().findElement(By.id("pause")).click();
    }

    void resume() {
        browser.driver().findElement(By.id("resume")).click();
    }

    /** Waits for the state, with its reason if one is given ("PAUSED (Lunch)"); any reason if not ("AVAILABLE"). */
    void awaitState(String state) {
        browser.await(driver -> {
            String shown = driver.findElement(By.id("agent-state")).getText();
            return shown.equals(state) || shown.startsWith(state + " (");
        });
    }

    boolean resumeEnabled() {
        return browser.driver().findElement(By.id("resume")).isEnabled();
    }
}
