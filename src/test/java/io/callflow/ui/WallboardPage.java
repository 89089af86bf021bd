package io.callflow.ui;

import io.callflow.support.Browser;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The supervisor wallboard: per-queue figures and the agents' states, refreshed by a button until it is live. */
final class WallboardPage {

    private final Browser browser;

    WallboardPage(Browser browser) {
        this.browser = browser;
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".tile")));
    }

    /** One figure of a queue's tile, as shown (e.g. "Waiting now" -> "0"). */
    String figure(String queue, String figure) {
        return browser.driver().findElement(By.cssSelector("[data-queue='" + queue + "'] [data-figure='" + figure
                + "'] dd")).getText();
    }

    /** The size a figure is drawn at, in CSS pixels. */
    double figureFontSize(String queue, String figure) {
        return Double.parseDouble(browser.driver().findElement(By.cssSelector("[data-queue='" + queue
                + "'] [data-figure='" + figure + "'] dd")).getCssValue("font-size").replace("px", ""));
    }

    /** Whether the page is wider than the window (a horizontal scroll bar), which a wallboard must never need. */
    boolean overflowsSideways() {
        return (Boolean) browser.driver().executeScript(
                "return document.documentElement.scrollWidth > document.documentElement.clientWidth");
    }

    String agentState(String agentId) {
        return browser.driver().findElement(By.cssSelector("[data-agent='" + agentId + "'] .state")).getText();
    }

    boolean saysNotLive() {
        return browser.driver().findElement(By.id("not-live")).getText().contains("Not live yet");
    }

    void refresh() {
        browser.driver().findElement(By.id("refresh")).click();
    }

    /** Waits until the agent's row shows the state (after a refresh, or by itself once the page is live). */
    void awaitAgentState(String agentId, String state) {
        browser.await(driver -> {
            String shown = driver.findElement(By.cssSelector("[data-agent='" + agentId + "'] .state")).getText();
            return shown.equals(state) || shown.startsWith(state + " (");
        });
    }
}
