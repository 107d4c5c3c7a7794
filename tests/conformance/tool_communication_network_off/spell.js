// network tools raise SecurityError while network access is off (the default); bad input is checked first
const mail = {host: "smtp.example.com", to: "ann@example.com", from: "robot@example.com", subject: "Hi", body: "Hello"};
try {
  await Tool.execute("email-sender", mail);
} catch (err) {
  console.log("email-sender: false " + (err.name + ": " + err.message).match(/SecurityError: network access is not allowed/)[0]);
  console.log("names the server: " + err.message.includes("SMTP server smtp.example.com:587"));
}
mail.subject = "Hi\r\nBcc: victim@example.com";
const r = await Tool.execute("email-sender", mail);
console.log("header injection: " + r.success + " " + r.error_kind);
try {
  await Tool.execute("github-integration", {operation: "get_repo", repo: "octocat/Hello-World"});
} catch (err) {
  console.log("github-integration: false " + err.name);
}
try {
  await Tool.execute("database-connector", {url: "postgresql://app:s3cret-pw@db.example.com/shop", query: "SELECT 1"});
} catch (err) {
  console.log("database-connector: false " + err.name);
  console.log("password hidden: " + !err.message.includes("s3cret-pw"));
}
