package io.callflow.ui;

import io.callflow.support.Browser;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The agent desktop: the agent sees its state and pauses with a reason or resumes; the current call's card with its
 * controls and wrap-up.
 */
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

    /** Waits until the live events are connected (the indicator reads "Live"). */
    void awaitLive() {
        browser.await(driver -> "live".equals(driver.findElement(By.id("live-indicator")).getAttribute("data-state")));
    }

    /** Waits for the call card of a call from this caller, and answers the card's status ("RINGING", "CONNECTED"). */
    String awaitCallCard(String caller) {
        return browser.await(driver -> {
            var shown = driver.findElements(By.id("call-caller"));
            return !shown.isEmpty() && shown.get(0).getText().equals(caller)
                    ? driver.findElement(By.id("call-status")).getText() : null;
        });
    }

    /** One field of the card ("did", "queue", "waited", "callId"). */
    String cardField(String name) {
        return browser.driver().findElement(By.cssSelector("#call-card [data-field='" + name + "']")).getText();
    }

    void awaitCallStatus(String status) {
        browser.await(driver -> driver.findElement(By.id("call-status")).getText().equalsIgnoreCase(status));
    }

    /** Transfers the current call: kind "queue", "agent" or "number", typed into the searchable target field. */
    void transfer(String kind, String target) {
        new Select(browser.driver().findElement(By.id("transfer-kind"))).selectByValue(kind);
        browser.driver().findElement(By.id("transfer-target")).sendKeys(target);
        browser.driver().findElement(By.id("transfer")).click();
    }

    /** Click-to-call; answers the message shown under the form (what happened, or the API's refusal). */
    String dial(String number) {
        browser.driver().findElement(By.id("dial-number")).sendKeys(number);
        browser.driver().findElement(By.id("dial")).click();
        return browser.await(driver -> {
            String text = driver.findElement(By.id("dial-feedback")).getText();
            return text.isBlank() ? null : text;
        });
    }

    void hangUp() {
        browser.driver().findElement(By.id("hangup")).click();
    }

    /** Clicks Hold (or, on a held call, Resume call) and waits until the card says whether the call is held. */
    void toggleHold(boolean held) {
        browser.driver().findElement(By.id("hold")).click();
        browser.await(driver -> driver.findElements(By.id("hold-state")).stream()
                .anyMatch(label -> label.getText().equalsIgnoreCase("On hold")) == held
                && driver.findElement(By.id("hold")).getText().equals(held ? "Resume call" : "Hold"));
    }

    void saveDisposition(String code, String note) {
        new Select(browser.driver().findElement(By.id("disposition-code"))).selectByVisibleText(code);
        browser.driver().findElement(By.id("disposition-note")).sendKeys(note);
        browser.driver().findElement(By.id("save-disposition")).click();
    }

    /** Waits for the card's message after a command (the API's refusal, or what happened) to start with a text. */
    String awaitCallFeedback(String start) {
        return browser.await(driver -> {
            String text = driver.findElement(By.id("call-feedback")).getText();
            return text.startsWith(start) ? text : null;
        });
    }

    /** Waits until today's calls list the call with this disposition. */
    void awaitTodaysDisposition(String callId, String disposition) {
        browser.await(driver -> driver.findElements(By.cssSelector("tr[data-call='" + callId + "'] td.disposition"))
                .stream().anyMatch(cell -> cell.getText().equals(disposition)));
    }
}
