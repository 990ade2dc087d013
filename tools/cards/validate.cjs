// Parse cards with the official Adaptive Cards library: reads [{name, card}] JSON on stdin, writes
// [{name, problems: [..]}] on stdout. Unknown elements, bad properties and duplicate ids are problems.
const AC = require("adaptivecards/dist/adaptivecards.js");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(({ name, card }) => {
    const problems = [];
    const context = new AC.SerializationContext();
    const parsed = new AC.AdaptiveCard();
    try {
      parsed.parse(card, context);
    } catch (error) {
      problems.push(`parse failed: ${error.message}`);
    }
    for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
    for (const event of parsed.validateProperties().validationEvents) problems.push(event.message);
    return { name, problems };
  });
  process.stdout.write(JSON.stringify(results));
});
