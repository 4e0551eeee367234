//! A scripted plaintext POP3 server on loopback, for answers Dovecot never gives.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What to answer to a command (matched by its whole line, then by its verb).
#[derive(Clone)]
pub enum Answer {
    Send(Vec<u8>),
    /// Send these bytes, then close the connection.
    SendAndClose(Vec<u8>),
}

pub struct FakeServer {
    pub port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeServer {
    /// Greets, answers CAPA, USER, PASS and QUIT, and whatever `script` holds.
    pub async fn start(script: Vec<(&str, Answer)>) -> FakeServer {
        let mut answers: HashMap<String, Answer> = HashMap::new();
        answers.insert(
            "CAPA".into(),
            Answer::Send(b"+OK\r\nUIDL\r\nUSER\r\n.\r\n".to_vec()),
        );
        answers.insert("USER".into(), Answer::Send(b"+OK\r\n".to_vec()));
        answers.insert("PASS".into(), Answer::Send(b"+OK logged in\r\n".to_vec()));
        answers.insert("QUIT".into(), Answer::SendAndClose(b"+OK bye\r\n".to_vec()));
        for (command, answer) in script {
            answers.insert(command.to_owned(), answer);
        }
        let answers = Arc::new(answers);
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let answers = Arc::clone(&answers);
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut read = BufReader::new(read);
                    if write.write_all(b"+OK fake POP3 ready\r\n").await.is_err() {
                        return;
                    }
                    let mut line = String::new();
                    loop {
                        line.clear();
                        match read.read_line(&mut line).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        let command = line.trim_end();
                        let verb = command.split(' ').next().unwrap_or("");
                        let answer = answers
                            .get(command)
                            .or_else(|| answers.get(verb))
                            .cloned()
                            .unwrap_or(Answer::Send(b"-ERR unknown command\r\n".to_vec()));
                        match answer {
                            Answer::Send(bytes) => {
                                if write.write_all(&bytes).await.is_err() {
                                    return;
                                }
                            }
                            Answer::SendAndClose(bytes) => {
                                let _ = write.write_all(&bytes).await;
                                return;
                            }
                        }
                    }
                });
            }
        });
        FakeServer { port, task }
    }
}
