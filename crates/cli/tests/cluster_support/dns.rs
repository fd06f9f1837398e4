//! A DNS server on 127.0.0.1 that answers A queries for one name with a
//! fixed list of addresses, and "no such name" for anything else.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use simple_dns::rdata::{RData, A};
use simple_dns::{Packet, ResourceRecord, CLASS, QTYPE, RCODE, TYPE};

pub struct TestDns {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TestDns {
    pub fn start(name: &str, answers: &[&str]) -> TestDns {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind the DNS socket");
        // Short timeouts let the thread notice it should stop.
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("set a read timeout");
        let addr = socket.local_addr().expect("DNS address");
        let answers: Vec<Ipv4Addr> = answers.iter().map(|a| a.parse().expect("IPv4")).collect();
        let name = name.to_owned();
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while !stop_flag.load(Ordering::Relaxed) {
                let Ok((len, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                if let Some(reply) = reply(&buf[..len], &name, &answers) {
                    let _ = socket.send_to(&reply, from);
                }
            }
        });
        TestDns {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for TestDns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn reply(query: &[u8], name: &str, answers: &[Ipv4Addr]) -> Option<Vec<u8>> {
    let query = Packet::parse(query).ok()?;
    let question = query.questions.first()?.clone();
    let mut reply = Packet::new_reply(query.id());
    let asked = question.qname.to_string();
    let matches = asked.trim_end_matches('.').eq_ignore_ascii_case(name);
    if !matches {
        *reply.rcode_mut() = RCODE::NameError;
    } else if question.qtype == QTYPE::TYPE(TYPE::A) {
        for ip in answers {
            let data = RData::A(A {
                address: u32::from(*ip),
            });
            let record = ResourceRecord::new(question.qname.clone(), CLASS::IN, 1, data);
            reply.answers.push(record);
        }
    }
    reply.questions.push(question);
    reply.build_bytes_vec().ok()
}
