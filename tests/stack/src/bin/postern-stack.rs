//! Starts a test mail stack for manual testing, prints how to reach it, waits for Ctrl-C.
//!
//! cargo run -p postern-test-stack --bin postern-stack [-- USER...]

use postern_test_stack::{ClientSpec, Stack};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stack = Stack::start()?;
    let ports = stack.ports();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec {
        auto_approve: true,
        ..ClientSpec::microsoft()
    });
    println!("postern test stack in {}", stack.root().display());
    println!("CA file (ca_file):   {}", stack.ca_file().display());
    println!("IMAP  STARTTLS {}   TLS {}", ports.imap, ports.imaps);
    println!("POP3  STLS     {}   TLS {}", ports.pop3, ports.pop3s);
    println!(
        "SMTP  STARTTLS {}   TLS {}",
        ports.submission, ports.submissions
    );
    println!("LMTP {}   sink {}", ports.lmtp, ports.sink);
    println!(
        "IdP   {}   (tenant path: {}/oauth2/v2.0/...)",
        idp.base_url(),
        idp.authority("common")
    );
    println!(
        "IdP client_id {client_id} (Microsoft shape, device codes approved at {}/devicelogin)",
        idp.base_url()
    );
    let mut names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        names = vec!["alice".into(), "bob".into()];
    }
    for name in names {
        let user = stack.new_user(&name)?;
        stack.seed(&user, &postern_test_stack::SeedSpec::inbox(50))?;
        let token = idp.mint_token(&client_id, &user.name)?;
        println!(
            "user {}  password {}  (50 messages)",
            user.name, user.password
        );
        println!("  access token: {}", token.access_token);
    }
    println!("Ctrl-C (or SIGTERM) stops the stack.");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    })?;
    drop(stack);
    Ok(())
}
