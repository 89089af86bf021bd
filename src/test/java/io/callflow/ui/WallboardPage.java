package io.callflow.ui;

import io.callflow.support.Browser;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The supervisor wallboard: per-queue figures and the agents' states, kept current by the live events. */
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

    /** Waits until the live events are connected (the indicator reads "Live"). */
    void awaitLive() {
        browser.await(driver -> "live".equals(driver.findElement(By.id("live-indicator")).getAttribute("data-state")));
    }

    /** The tile's threshold label, e.g. "OK" or "Alert: 7 waiting". */
    String level(String queue) {
        return browser.driver().findElement(By.cssSelector("[data-queue='" + queue + "'] .level")).getText();
    }

    /** Forces the agent into a pause (the supervisor action of the agent's row). */
    void forcePause(String agentId) {
        browser.driver().findElement(By.cssSelector("[data-agent='" + agentId + "'] [data-action='pause']")).click();
    }

    /** Waits until the agent's row shows the state; the page is live, so no reload is needed. */
    void awaitAgentState(String agentId, String state) {
        browser.await(driver -> {
            String shown = driver.findElement(By.cssSelector("[data-agent='" + agentId + "'] .state")).getText();
            return shown.equals(state) || shown.startsWith(state + " (");
        });
    }
}
