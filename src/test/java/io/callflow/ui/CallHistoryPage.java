package io.callflow.ui;

import java.util.List;

import io.callflow.support.Browser;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The call history: search finished calls and open one. */
final class CallHistoryPage {

    private final Browser browser;

    CallHistoryPage(Browser browser) {
        this.browser = browser;
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("results-title")));
    }

    static CallHistoryPage open(Browser browser, String baseUrl) {
        browser.driver().get(baseUrl + "/ui/#/calls");
        return new CallHistoryPage(browser);
    }

    /** Fills the time range (local date-times, as the browser's picker gives them) and a caller, and searches. */
    CallHistoryPage search(String fromLocal, String toLocal, String caller, String outcome) {
        setValue("search-from", fromLocal);
        setValue("search-to", toLocal);
        type("search-caller", caller);
        type("search-outcome", outcome);
        WebElement previousResults = browser.driver().findElement(By.id("results"));
        browser.driver().findElement(By.id("search")).click();
        browser.await(ExpectedConditions.stalenessOf(previousResults));
        return new CallHistoryPage(browser);
    }

    List<String> callIds() {
        return browser.driver().findElements(By.cssSelector("#call-results tbody tr")).stream()
                .map(row -> row.getAttribute("data-call")).toList();
    }

    String resultTitle() {
        return browser.driver().findElement(By.id("results-title")).getText();
    }

    boolean hasAgentFilter() {
        return !browser.driver().findElements(By.id("search-agent")).isEmpty();
    }

    CallPage openCall(String callId) {
        browser.driver().findElement(By.cssSelector("[data-call='" + callId + "'] a")).click();
        return new CallPage(browser);
    }

    private void type(String id, String text) {
        WebElement field = browser.driver().findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    /** A date-time picker's typing order depends on the locale, so the value is set as the picker would set it. */
    private void setValue(String id, String value) {
        browser.driver().executeScript("arguments[0].value = arguments[1]", browser.driver().findElement(By.id(id)),
                value);
    }
}
