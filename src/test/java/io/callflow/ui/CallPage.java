package io.callflow.ui;

import java.util.List;

import io.callflow.support.Browser;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** One call: its record, its steps and its flow diagram with the path highlighted. */
final class CallPage {

    private final Browser browser;

    CallPage(Browser browser) {
        this.browser = browser;
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("call-record")));
    }

    /** Waits for the diagram to be drawn and returns the BPMN element ids the SVG marks as visited. */
    List<String> highlightedElements() {
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#diagram svg .cf-visited")));
        return browser.driver().findElements(By.cssSelector("#diagram svg g.djs-element.cf-visited")).stream()
                .map(element -> element.getAttribute("data-element-id")).toList();
    }

    String lastElement() {
        return browser.driver().findElement(By.cssSelector("#diagram svg g.djs-element.cf-last"))
                .getAttribute("data-element-id");
    }

    /** The time overlays drawn on the diagram, one per visited element. */
    List<String> stepTimes() {
        return browser.driver().findElements(By.cssSelector("#diagram .cf-step-time")).stream()
                .map(overlay -> overlay.getText()).toList();
    }

    /** The stroke the highlighted element's shape is drawn with (the marker's style applied). */
    String strokeOf(String elementId) {
        return browser.driver().findElement(By.cssSelector("#diagram g.djs-element[data-element-id='" + elementId
                + "'] .djs-visual > :first-child")).getCssValue("stroke");
    }

    List<String> stepNames() {
        return browser.driver().findElements(By.cssSelector("#call-steps tbody th")).stream()
                .map(cell -> cell.getText()).toList();
    }

    /** Scrolls the diagram into view (for the page's screenshot). */
    void scrollToDiagram() {
        browser.driver().executeScript("arguments[0].scrollIntoView({block: 'center'})",
                browser.driver().findElement(By.id("diagram")));
    }

    String recordText() {
        return browser.driver().findElement(By.id("call-record")).getText();
    }
}
