// Keyboard shortcuts of the review pages (issue 18): a key presses the button that names it in data-key.
// Everything also works without this file: the buttons are plain form buttons.
"use strict";
document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.metaKey || event.altKey) { return; }
  var target = event.target;
  if (target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.isContentEditable)) { return; }
  var button = document.querySelector('button[data-key="' + event.key.toLowerCase() + '"]');
  if (button) {
    event.preventDefault();
    button.click();
  }
});
